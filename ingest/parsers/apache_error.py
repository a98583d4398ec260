"""Apache httpd error log: ``[Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] message``.

Also the 2.4 layout ``[time.micros year] [module:level] [pid N:tid M] [client ip:port] AHxxxxx:
message``. The time has no zone: it is read in ``ParserOptions.timezone``. severity = the level,
app = the module (``apache`` when none), event_id = the ``AHnnnnn`` message code when present,
src_ip/src_port = the client.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from ingest.parsers.arrays import decode_line
from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.columns import Fields, is_ip, to_derived
from ingest.parsers.times import load_zone, parse_local

NAME: Final = "apache_error"
VERSION: Final = "1"

_LINE: Final = re.compile(
    r"\[(\w{3} \w{3} \d\d \d\d:\d\d:\d\d(?:\.\d+)? \d{4})\] \[(?:([\w-]+):)?(\w+)\]"
    r"(?: \[pid (\d+)(?::tid \d+)?\])?(?: \[client ([^\]]+)\])? ?(.*)$",
    re.S,
)
_CODE: Final = re.compile(r"(AH\d{5}): ")


@dataclass(frozen=True, slots=True)
class ApacheErrorParser:
    zone: ZoneInfo
    name: str = NAME
    version: str = VERSION

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns per line; lines without the ``[time] [level]`` prefix get parse_error."""
        return to_derived([self._line(line) for line in lines], self.name, self.version)

    def _line(self, line: bytes) -> Fields:
        text, err = decode_line(line)
        f = Fields()
        f.parse_error = err
        m = _LINE.match(text)
        if m is None:
            f.message = text
            f.parse_error = err or "not an Apache error log line: no '[time] [level]' prefix"
            return f
        when, module, level, pid, client, message = m.groups()
        fmt = "%a %b %d %H:%M:%S.%f %Y" if "." in when else "%a %b %d %H:%M:%S %Y"
        f.event_time_raw = when
        f.event_time = parse_local(when, fmt, self.zone)
        f.app = module or "apache"
        f.severity = level
        f.pid = int(pid) if pid else None
        if client:
            ip, _, port = client.rpartition(":") if client.count(":") == 1 else (client, "", "")
            f.src_ip = ip if is_ip(ip) else None
            f.src_port = int(port) if port.isdigit() else None
        if code := _CODE.match(message):
            f.event_id = code[1]
        f.message = message
        return f


def make_apache_error(options: ParserOptions) -> ApacheErrorParser:
    """Raises UsageError for an unknown timezone."""
    return ApacheErrorParser(load_zone(options.timezone))
