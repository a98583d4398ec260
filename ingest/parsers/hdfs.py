"""Hadoop HDFS daemon log (loghub HDFS): ``yyMMdd HHmmss PID LEVEL component: message``.

The time has no zone: it is read in ``ParserOptions.timezone``. app = the Java component
(``dfs.DataNode$PacketResponder``), severity = LEVEL, object = the first block id
(``blk_-123``; all of them in attrs ``blocks`` when there are several), src/dst ip and port from
``src: /ip:port dest: /ip:port`` when the message has them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final
from zoneinfo import ZoneInfo

import pyarrow as pa

from ingest.parsers.arrays import (
    Array,
    decode_line,
    map_distinct,
    micros,
    pc,
    typed,
)
from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.batch_match import BatchPattern
from ingest.parsers.columns import Fields, json_attrs, merge_slow_lines
from ingest.parsers.local_time import Hour, LocalClock
from ingest.parsers.times import load_zone, parse_local

NAME: Final = "hdfs"
VERSION: Final = "1"

_LINE: Final = re.compile(r"(\d{6} \d{6}) (\d+) ([A-Z]+) ([\w.$]+): ?(.*)$", re.S)
_BLOCK: Final = re.compile(r"blk_-?\d+")
_PEERS: Final = re.compile(r"src: /([\d.]+):(\d+) dest: /([\d.]+):(\d+)")


@dataclass(frozen=True, slots=True)
class HdfsParser:
    zone: ZoneInfo
    clock: LocalClock
    name: str = NAME
    version: str = VERSION

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns per line; lines not in the HDFS layout get parse_error."""
        n = len(lines)
        fields, others = _BATCH.split(lines)
        fast = self._columns(fields)
        slow = [self._line(lines[i]) for i in others]
        return merge_slow_lines(fast, n, others, slow, NAME, VERSION)

    def _times(self, when: Array) -> Array:
        """``yyMMdd HHmmss`` in the zone, as parse_local gives it (per distinct hour)."""
        shaped = pc.string_is_ascii(when)  # the pattern's \d also takes other digits
        safe = pc.if_else(shaped, when, "000101 000000").cast(pa.binary())
        piece = [
            pc.binary_slice(safe, a, b).view(pa.string()) for a, b in ((0, 9), (9, 11), (11, 13))
        ]
        out = self.clock.micros(piece[0], _hdfs_hour, piece[1].cast(_INT64), piece[2].cast(_INT64))
        if pc.all(shaped).as_py():
            return out
        zone = self.zone
        other = map_distinct(when, lambda t: micros(parse_local(t, "%y%m%d %H%M%S", zone)), _INT64)
        result: Array = pc.if_else(shaped, out, other)
        return result

    def _columns(self, fields: list[Array]) -> dict[str, Array]:
        """Lines the batch pattern took: the message's blocks and peers by RE2 (ASCII)."""
        when, pid, level, component, message = fields
        columns: dict[str, Array] = {
            "event_time_raw": when,
            "event_time": self._times(when),
            "pid": _ints(pid),
            "severity": level,
            "app": component,
            "message": message,
        }
        ascii_ = pc.string_is_ascii(message)
        first = pc.struct_field(pc.extract_regex(message, _FIRST_BLOCK), [0])
        several = pc.greater(pc.count_substring_regex(message, _BLOCK.pattern), 1)
        columns["object"] = first
        columns["attrs"] = pc.if_else(several, map_distinct(message, _blocks_attrs, _STRING), _NULL)
        peers = pc.match_substring(message, "src: /")
        if pc.any(peers).as_py():
            found = pc.extract_regex(pc.if_else(peers, message, ""), _PEERS_RE2)
            for name, i, kind in (("src_ip", 0, None), ("src_port", 1, "int"),
                                  ("dst_ip", 2, None), ("dst_port", 3, "int")):  # fmt: skip
                value = pc.struct_field(found, [i])
                columns[name] = _ints(value) if kind else value
        if not pc.all(ascii_).as_py():  # Python's \d also takes other digits: per message
            other = pc.invert(ascii_)
            for name, values in _per_message(message.filter(other)).items():
                columns[name] = pc.replace_with_mask(
                    columns.get(name, pa.nulls(len(message), values.type)), other, values
                )
        return columns

    def _line(self, line: bytes) -> Fields:
        text, err = decode_line(line)
        f = Fields()
        f.parse_error = err
        f.message = text
        m = _LINE.match(text)
        if m is None:
            f.parse_error = err or "not an HDFS log line: expected 'yyMMdd HHmmss pid LEVEL ...'"
            return f
        when, pid, level, component, message = m.groups()
        f.event_time_raw = when
        f.event_time = parse_local(when, "%y%m%d %H%M%S", self.zone)
        f.pid = int(pid)
        f.severity = level
        f.app = component
        f.message = message
        blocks = _BLOCK.findall(message)
        f.object = blocks[0] if blocks else None
        if peers := _PEERS.search(message):
            f.src_ip, f.dst_ip = peers[1], peers[3]
            f.src_port, f.dst_port = int(peers[2]), int(peers[4])
        f.attrs = json_attrs({"blocks": blocks if len(blocks) > 1 else None})
        return f


_FIRST_BLOCK: Final = r"(?P<block>blk_-?[0-9]+)"
_PEERS_RE2: Final = (
    r"src: /(?P<src>[0-9.]+):(?P<sport>[0-9]+) dest: /(?P<dst>[0-9.]+):(?P<dport>[0-9]+)"
)
_BATCH: Final = BatchPattern.compile(r"(\d{6} \d{6}) (\d+) ([A-Z]+) ([\w.$]+): ?([^\n]*)$")
_INT64: Final = pa.int64()
_STRING: Final = pa.string()
_NULL: Final = pa.scalar(None, _STRING)


def _hdfs_hour(text: str) -> Hour | None:
    """``yyMMdd HH`` as strptime reads it (%y: 69-99 -> 19xx, else 20xx), None if invalid."""
    yy, month, day, hour = int(text[0:2]), int(text[2:4]), int(text[4:6]), int(text[7:9])
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 23):
        return None
    return (1900 + yy if yy >= 69 else 2000 + yy, month, day, hour)


def _ints(texts: Array) -> Array:
    """Digit texts as int64 (null when absent, or longer than int64 holds)."""
    short = pc.match_substring_regex(texts, "^[0-9]{1,18}$")
    out: Array = pc.if_else(short, texts, _NULL).cast(_INT64)
    return out


def _blocks_attrs(message: str) -> str | None:
    blocks = _BLOCK.findall(message)
    return json_attrs({"blocks": blocks if len(blocks) > 1 else None})


def _per_message(messages: Array) -> dict[str, Array]:
    """object, peers and attrs of messages, one by one (as the per-line path derives them)."""
    rows = []
    texts: list[Any] = messages.to_pylist()  # the pattern's group: never null
    for message in texts:
        blocks = _BLOCK.findall(message)
        peers = _PEERS.search(message)
        rows.append((
            blocks[0] if blocks else None,
            json_attrs({"blocks": blocks if len(blocks) > 1 else None}),
            *((peers[1], int(peers[2]), peers[3], int(peers[4])) if peers else (None,) * 4),
        ))  # fmt: skip
    names = ("object", "attrs", "src_ip", "src_port", "dst_ip", "dst_port")
    types: tuple[pa.DataType, ...] = (_STRING, _STRING, _STRING, pa.int32(), _STRING, pa.int32())
    return {
        name: typed([row[i] for row in rows], typ)
        for i, (name, typ) in enumerate(zip(names, types, strict=True))
    }


def make_hdfs(options: ParserOptions) -> HdfsParser:
    """Raises UsageError for an unknown timezone."""
    zone = load_zone(options.timezone)
    return HdfsParser(zone, LocalClock(zone))
