"""Syslog protocol (RFC 5424): ``<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG``.

severity = PRI & 7 (by name), event_type = MSGID, pid = PROCID when numeric. Every structured
data parameter goes to attrs as ``"<sd-id>.<name>"`` (``[origin ip="10.0.0.1"]`` ->
``"origin.ip"``), with the facility and a non-numeric PROCID. The message is then routed by APP
to the same program handlers as BSD syslog (sshd, sudo, ...), so both formats give the same
fields for the same event; a handler's event_type replaces the MSGID, which stays in attrs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ingest.parsers.arrays import Part, combine, decode_line, finish
from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.batch_match import BatchPattern
from ingest.parsers.columns import Fields, json_attrs, to_derived
from ingest.parsers.rfc3164 import PROGRAMS, SEVERITIES
from ingest.parsers.rfc5424_batch import columns as batch_columns
from ingest.parsers.times import parse_iso

NAME: Final = "rfc5424"
VERSION: Final = "1"

_HEADER: Final = re.compile(r"<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) ?(.*)$", re.S)
_BATCH: Final = BatchPattern.compile(
    r"<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) ?([^\n]*)$"
)
_ELEMENT: Final = re.compile(r'\[([^\s\]=]+)((?:\s+[^\s=\]"]+="(?:[^"\\]|\\.)*")*)\s*\]')
_PARAM: Final = re.compile(r'([^\s=\]"]+)="((?:[^"\\]|\\.)*)"')
_UNESCAPE: Final = re.compile(r'\\(["\\\]])')


def structured_data(text: str) -> tuple[dict[str, str], str] | None:
    """(params as ``id.name`` -> value, the rest of the line), or None if SD is malformed."""
    if text.startswith("-"):
        return {}, text[1:].lstrip(" ")
    params: dict[str, str] = {}
    pos = 0
    while pos < len(text) and text[pos] == "[":
        m = _ELEMENT.match(text, pos)
        if m is None:
            return None
        for name, value in _PARAM.findall(m[2]):
            params[f"{m[1]}.{name}"] = _UNESCAPE.sub(r"\1", value)
        pos = m.end()
    if pos == 0:
        return None
    return params, text[pos:].lstrip(" ")


@dataclass(frozen=True, slots=True)
class Rfc5424Parser:
    name: str = NAME
    version: str = VERSION

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns per line; lines without an RFC 5424 header get parse_error.

        Lines with an ASCII header and structured data are read per batch (rfc5424_batch),
        the others one by one.
        """
        n = len(lines)
        fields, others = _BATCH.split(lines)
        matched = sorted(set(range(n)).difference(others))
        fast, ok = batch_columns(fields, PROGRAMS, structured_data, SEVERITIES)
        flags = ok.to_pylist()
        taken = [row for row, good in zip(matched, flags, strict=True) if good]
        alone = sorted(
            [*others, *(row for row, good in zip(matched, flags, strict=True) if not good)]
        )
        if not alone:
            return finish(fast, n, NAME, VERSION)
        slow = to_derived([_line(lines[i]) for i in alone], NAME, VERSION)
        slow.pop("parser"), slow.pop("parser_version")
        parts: list[Part] = [(taken, fast), (alone, slow)]
        return finish(combine(parts, n), n, NAME, VERSION)


def _line(line: bytes) -> Fields:
    text, err = decode_line(line)
    f = Fields()
    f.parse_error = err
    f.message = text
    m = _HEADER.match(text)
    sd = structured_data(m[8]) if m else None
    if m is None or sd is None:
        f.parse_error = err or "not RFC 5424 syslog: expected '<PRI>1 TIMESTAMP HOST APP ...'"
        return f
    pri, _version, when, host, app, procid, msgid, _rest = m.groups()
    params, message = sd
    message = message.removeprefix("\ufeff")
    f.event_time_raw = None if when == "-" else when
    f.event_time = parse_iso(when) if when != "-" else None
    f.host = _nil(host)
    f.app = _nil(app)
    f.pid = int(procid) if procid.isdigit() else None
    f.severity = SEVERITIES[int(pri) & 7]
    f.event_type = _nil(msgid)
    f.message = message
    attrs: dict[str, object] = {"facility": int(pri) >> 3, "msgid": _nil(msgid)}
    if f.pid is None:
        attrs["procid"] = _nil(procid)
    handler = PROGRAMS.get(app)
    ext = handler(message) if handler is not None else None
    if ext is not None:
        f.event_type, f.action, f.outcome, f.user, f.src_ip, f.src_port, f.object = ext[:7]
        attrs.update(json.loads(ext[7]) if ext[7] else {})
    attrs.update(params)
    f.attrs = json_attrs(attrs)
    return f


def _nil(value: str) -> str | None:
    return None if value == "-" else value


def make_rfc5424(options: ParserOptions) -> Rfc5424Parser:
    return Rfc5424Parser()
