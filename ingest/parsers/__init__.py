"""Parsers by name, and format detection from a file's first lines.

>>> from ingest.parsers import get_parser
>>> get_parser("generic").parse([b"hello"])["message"]
['hello']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from ingest.parsers.base import Derived, Parser, ParserOptions
from ingest.parsers.generic import make_generic
from ingest.parsers.rfc3164 import make_rfc3164
from logchain.errors import UsageError

__all__ = ["PARSERS", "Derived", "Parser", "ParserOptions", "detect_format", "get_parser"]

#: Every parser, by the name used in configuration (``format = "..."``). Read-only.
PARSERS: Mapping[str, Callable[[ParserOptions], Parser]] = MappingProxyType(
    {"generic": make_generic, "rfc3164": make_rfc3164}
)


def get_parser(name: str, options: ParserOptions | None = None) -> Parser:
    """The parser called ``name``; raises UsageError listing the known names."""
    try:
        factory = PARSERS[name]
    except KeyError:
        raise UsageError(
            f"unknown log format {name!r}",
            hint=f"Use one of: {', '.join(sorted(PARSERS))}, or 'auto'.",
        ) from None
    return factory(options or ParserOptions())


def detect_format(sample: Sequence[bytes]) -> str:
    """Best format name for a file whose first lines are ``sample`` ('generic' if unsure)."""
    return "generic"
