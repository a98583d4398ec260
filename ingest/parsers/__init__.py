"""Parsers by name, and format detection from a file's first lines.

>>> from ingest.parsers import get_parser
>>> get_parser("generic").parse([b"hello"])["message"].to_pylist()
['hello']
>>> line = b"Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142"
>>> derived = get_parser("rfc3164", ParserOptions(year=2024)).parse([line + b" port 49116 ssh2"])
>>> d = as_lists(derived)  # the parser returns Arrow arrays typed as in the segment schema
>>> d["user"], d["src_ip"], d["outcome"], str(d["event_time"][0])
(['fztu'], ['119.137.62.142'], ['success'], '2024-12-10 09:32:20+00:00')
>>> detect_format([b'{"@timestamp": "2024-01-01T00:00:00Z", "user": {"name": "alice"}}'])
'json'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from ingest.parsers.access import make_access
from ingest.parsers.apache_error import make_apache_error
from ingest.parsers.arrays import as_lists
from ingest.parsers.auditd import make_auditd
from ingest.parsers.base import Derived, Parser, ParserOptions
from ingest.parsers.bgl import make_bgl
from ingest.parsers.detect import detect_format
from ingest.parsers.generic import make_generic
from ingest.parsers.hdfs import make_hdfs
from ingest.parsers.jsonlines import make_json
from ingest.parsers.rfc3164 import make_rfc3164
from ingest.parsers.rfc5424 import make_rfc5424
from ingest.parsers.zeek import make_zeek
from logchain.errors import UsageError

__all__ = [
    "PARSERS",
    "Derived",
    "Parser",
    "ParserOptions",
    "as_lists",
    "detect_format",
    "get_parser",
]

#: Every parser, by the name used in configuration (``format = "..."``). Read-only.
PARSERS: Mapping[str, Callable[[ParserOptions], Parser]] = MappingProxyType(
    {
        "rfc3164": make_rfc3164,
        "rfc5424": make_rfc5424,
        "auditd": make_auditd,
        "json": make_json,
        "access": make_access,
        "apache_error": make_apache_error,
        "zeek": make_zeek,
        "bgl": make_bgl,
        "hdfs": make_hdfs,
        "generic": make_generic,
    }
)


def get_parser(name: str, options: ParserOptions | None = None) -> Parser:
    """A new parser instance called ``name``.

    Raises UsageError listing the known names, or for an unknown ``options.timezone``. Use one
    instance per file: some parsers keep state from earlier lines (Zeek TSV headers).
    """
    try:
        factory = PARSERS[name]
    except KeyError:
        raise UsageError(
            f"unknown log format {name!r}",
            hint=f"Use one of: {', '.join(sorted(PARSERS))}, or 'auto'.",
        ) from None
    return factory(options or ParserOptions())
