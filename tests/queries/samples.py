"""Derived columns for the real samples in ../shared/data, from the project's own parsers."""

from __future__ import annotations

from collections.abc import Callable

from ingest.parsers import get_parser

Derived = dict[str, list[object]]


def _real(name: str) -> Callable[[list[bytes]], Derived]:
    def parse(lines: list[bytes]) -> Derived:
        return get_parser(name).parse(lines)

    return parse


#: Sample kind -> parser (by its registry name).
NORMALISERS: dict[str, Callable[[list[bytes]], Derived]] = {
    "syslog": _real("rfc3164"),
    "access": _real("access"),
    "zeek": _real("zeek"),
    "auditd": _real("auditd"),
    "apache_error": _real("apache_error"),
    "cloudtrail": _real("json"),
}
