"""Blue Gene/L RAS log (loghub BGL): an alert label, then the RAS event.

``LABEL EPOCH YYYY.MM.DD NODE YYYY-MM-DD-hh.mm.ss.micros NODE TYPE COMPONENT LEVEL message``.
event_time = EPOCH plus the micros of the full time, host = the node, event_type = TYPE (RAS),
app = COMPONENT (KERNEL, APP, ...), severity = LEVEL (INFO ... FATAL). The label (``-`` for a
non-alert line, else the alert category such as KERNDTLB) goes to attrs ``label``: it is the
data set's ground truth, not something the system logged, and differs from severity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ingest.parsers.arrays import decode_line
from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.columns import Fields, json_attrs, to_derived
from ingest.parsers.times import from_epoch

NAME: Final = "bgl"
VERSION: Final = "1"

_LINE: Final = re.compile(
    r"(\S+) (\d+) \d{4}\.\d\d\.\d\d (\S+) (\d{4}-\d\d-\d\d-\d\d\.\d\d\.\d\d\.(\d{6})) \S+ "
    r"(\S+) (\S+) (\S+) ?(.*)$",
    re.S,
)


@dataclass(frozen=True, slots=True)
class BglParser:
    name: str = NAME
    version: str = VERSION

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns per line; lines not in the BGL layout get parse_error."""
        return to_derived([_line(line) for line in lines], self.name, self.version)


def _line(line: bytes) -> Fields:
    text, err = decode_line(line)
    f = Fields()
    f.parse_error = err
    f.message = text
    m = _LINE.match(text)
    if m is None:
        f.parse_error = err or "not a BGL RAS line"
        return f
    label, epoch, node, when, micros, rtype, component, level, message = m.groups()
    f.event_time = from_epoch(int(epoch) + int(micros) / 1e6)
    f.event_time_raw = when
    f.host = node
    f.event_type = rtype
    f.app = component
    f.severity = level
    f.message = message
    f.attrs = json_attrs({"label": None if label == "-" else label})
    return f


def make_bgl(options: ParserOptions) -> BglParser:
    return BglParser()
