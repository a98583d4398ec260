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
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

import pyarrow as pa

from ingest.parsers.arrays import (
    Array,
    decode_line,
    map_distinct,
    micros,
    pc,
)
from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.batch_match import BatchPattern
from ingest.parsers.columns import Fields, is_ip, merge_slow_lines
from ingest.parsers.local_time import Hour, LocalClock
from ingest.parsers.times import MONTHS, load_zone, parse_local

NAME: Final = "apache_error"
VERSION: Final = "1"

_LINE: Final = re.compile(
    r"\[(\w{3} \w{3} \d\d \d\d:\d\d:\d\d(?:\.\d+)? \d{4})\] \[(?:([\w-]+):)?(\w+)\]"
    r"(?: \[pid (\d+)(?::tid \d+)?\])?(?: \[client ([^\]]+)\])? ?(.*)$",
    re.S,
)
_CODE: Final = re.compile(r"(AH\d{5}): ")


_BATCH: Final = BatchPattern.compile(
    r"\[(\w{3} \w{3} \d\d \d\d:\d\d:\d\d(?:\.\d+)? \d{4})\] \[(?:([\w-]+):)?(\w+)\]"
    r"(?: \[pid (\d+)(?::tid \d+)?\])?(?: \[client ([^\]\n]+)\])? ?([^\n]*)$"
)
#: The two time layouts Arrow reads: ``Www Mmm dd hh:mm:ss yyyy`` (2.2) and with ``.micros``.
_PLAIN_TIME: Final = r"^[A-Za-z]{3} [A-Za-z]{3} [0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}$"
_MICRO_TIME: Final = (
    r"^[A-Za-z]{3} [A-Za-z]{3} [0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} [0-9]{4}$"
)
_WEEKDAYS: Final = frozenset({"mon", "tue", "wed", "thu", "fri", "sat", "sun"})
_MONTHS_LOWER: Final = {name.lower(): number for name, number in MONTHS.items()}
_INT64: Final = pa.int64()
_STRING: Final = pa.string()
_NULL: Final = pa.scalar(None, _STRING)


@dataclass(frozen=True, slots=True)
class ApacheErrorParser:
    zone: ZoneInfo
    clock: LocalClock
    name: str = NAME
    version: str = VERSION

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns per line; lines without the ``[time] [level]`` prefix get parse_error."""
        n = len(lines)
        fields, others = _BATCH.split(lines)
        fast = self._columns(fields)
        slow = [self._line(lines[i]) for i in others]
        return merge_slow_lines(fast, n, others, slow, NAME, VERSION)

    def _columns(self, fields: list[Array]) -> dict[str, Array]:
        when, module, level, pid, client, message = fields
        ascii_ = pc.string_is_ascii(message)
        code = pc.struct_field(pc.extract_regex(message, r"^(?P<code>AH[0-9]{5}): "), [0])
        if not pc.all(ascii_).as_py():  # Python's \d also takes other digits
            code = pc.if_else(ascii_, code, map_distinct(message, _code, _STRING))
        short = pc.match_substring_regex(pid, "^[0-9]{1,18}$")
        return {
            "event_time_raw": when,
            "event_time": self._times(when),
            "app": pc.if_else(pc.equal(module, ""), "apache", module),
            "severity": level,
            "pid": pc.if_else(short, pid, _NULL).cast(_INT64),
            "src_ip": map_distinct(client, lambda c: _client(c)[0], _STRING),
            "src_port": map_distinct(client, lambda c: _client(c)[1], pa.int32()),
            "event_id": code,
            "message": message,
        }

    def _times(self, when: Array) -> Array:
        """parse_local of each time: the two usual layouts per distinct hour, others alone."""
        plain = pc.match_substring_regex(when, _PLAIN_TIME)
        micro = pc.match_substring_regex(when, _MICRO_TIME)
        # "Www Mmm dd hh:mm:ss[.ffffff] yyyy": the hour key is "Www Mmm dd yyyy hh"
        raw = pc.if_else(pc.or_(plain, micro), when, "Mon Jan 01 00:00:00 2000").cast(pa.binary())
        year = pc.if_else(micro, pc.binary_slice(raw, 27, 31), pc.binary_slice(raw, 20, 24))
        key = pc.binary_join_element_wise(
            pc.binary_slice(raw, 0, 10), year, pc.binary_slice(raw, 11, 13), b" "
        )
        minute, second = (
            pc.binary_slice(raw, a, a + 2).view(_STRING).cast(_INT64) for a in (14, 17)
        )
        fraction = _int(pc.if_else(micro, pc.binary_slice(raw, 20, 26), b"0"))
        out = self.clock.micros(key.view(_STRING), _apache_hour, minute, second, fraction)
        simple = pc.or_(plain, micro)
        if pc.all(simple).as_py():
            return out
        zone = self.zone
        other = map_distinct(when, lambda t: micros(_parse(t, zone)), _INT64)
        result: Array = pc.if_else(simple, out, other)
        return result

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


def _int(digits: Array) -> Array:
    out: Array = digits.view(_STRING).cast(_INT64)
    return out


def _parse(when: str, zone: ZoneInfo) -> datetime | None:
    fmt = "%a %b %d %H:%M:%S.%f %Y" if "." in when else "%a %b %d %H:%M:%S %Y"
    return parse_local(when, fmt, zone)


def _apache_hour(key: str) -> Hour | None:
    """``Www Mmm dd yyyy hh`` as strptime reads it (names in any case), None if invalid."""
    weekday, month, day, year, hour = key.split(" ")
    number = _MONTHS_LOWER.get(month.lower())
    if weekday.lower() not in _WEEKDAYS or number is None:
        return None
    if not (1 <= int(day) <= 31 and int(hour) <= 23 and int(year) >= 1):
        return None
    return (int(year), number, int(day), int(hour))


def _client(client: str) -> tuple[str | None, int | None]:
    """(address, port) of a ``[client ...]`` value, as the per-line path reads it."""
    if not client:
        return None, None
    ip, _, port = client.rpartition(":") if client.count(":") == 1 else (client, "", "")
    return (ip if is_ip(ip) else None), (int(port) if port.isdigit() else None)


def _code(message: str) -> str | None:
    code = _CODE.match(message)
    return code[1] if code else None


def make_apache_error(options: ParserOptions) -> ApacheErrorParser:
    """Raises UsageError for an unknown timezone."""
    zone = load_zone(options.timezone)
    return ApacheErrorParser(zone, LocalClock(zone))
