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
from typing import Final
from zoneinfo import ZoneInfo

from ingest.parsers.arrays import decode_line
from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.columns import Fields, json_attrs, to_derived
from ingest.parsers.times import load_zone, parse_local

NAME: Final = "hdfs"
VERSION: Final = "1"

_LINE: Final = re.compile(r"(\d{6} \d{6}) (\d+) ([A-Z]+) ([\w.$]+): ?(.*)$", re.S)
_BLOCK: Final = re.compile(r"blk_-?\d+")
_PEERS: Final = re.compile(r"src: /([\d.]+):(\d+) dest: /([\d.]+):(\d+)")


@dataclass(frozen=True, slots=True)
class HdfsParser:
    zone: ZoneInfo
    name: str = NAME
    version: str = VERSION

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns per line; lines not in the HDFS layout get parse_error."""
        return to_derived([self._line(line) for line in lines], self.name, self.version)

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


def make_hdfs(options: ParserOptions) -> HdfsParser:
    """Raises UsageError for an unknown timezone."""
    return HdfsParser(load_zone(options.timezone))
