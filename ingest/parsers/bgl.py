"""Blue Gene/L RAS log (loghub BGL): an alert label, then the RAS event.

``LABEL EPOCH YYYY.MM.DD NODE YYYY-MM-DD-hh.mm.ss.micros NODE TYPE COMPONENT LEVEL message``.
event_time = EPOCH plus the micros of the full time, host = the node, event_type = TYPE (RAS),
app = COMPONENT (KERNEL, APP, ...), severity = LEVEL (INFO ... FATAL). The label (``-`` for a
non-alert line, else the alert category such as KERNDTLB) goes to attrs ``label``: it is the
data set's ground truth, not something the system logged, and differs from severity.

Speed: the fields of a batch come from one regex pass (batch_match), the time is computed by
Arrow in integers (exactly what the per-line float conversion gives, see _times); lines the
batch pattern does not take are parsed one by one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Final

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
from ingest.parsers.columns import Fields, json_attrs, merge_slow_lines
from ingest.parsers.times import from_epoch

NAME: Final = "bgl"
VERSION: Final = "1"

_LINE: Final = re.compile(
    r"(\S+) (\d+) \d{4}\.\d\d\.\d\d (\S+) (\d{4}-\d\d-\d\d-\d\d\.\d\d\.\d\d\.(\d{6})) \S+ "
    r"(\S+) (\S+) (\S+) ?(.*)$",
    re.S,
)
_BATCH: Final = BatchPattern.compile(
    r"(\S+) (\d+) \d{4}\.\d\d\.\d\d (\S+) (\d{4}-\d\d-\d\d-\d\d\.\d\d\.\d\d\.(\d{6})) \S+ "
    r"(\S+) (\S+) (\S+) ?([^\n]*)$"
)
_INT64: Final = pa.int64()
_STRING: Final = pa.string()


@dataclass(frozen=True, slots=True)
class BglParser:
    name: str = NAME
    version: str = VERSION

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns per line; lines not in the BGL layout get parse_error."""
        n = len(lines)
        fields, others = _BATCH.split(lines)
        fast = _columns(fields)
        slow = [_line(lines[i]) for i in others]
        return merge_slow_lines(fast, n, others, slow, NAME, VERSION)


def _columns(fields: list[Array]) -> dict[str, Array]:
    label, epoch, node, when, frac, rtype, component, level, message = fields
    label_json = map_distinct(
        label,
        lambda v: None if v == "-" else "{" + f'"label":{encode_basestring(v)}' + "}",
        _STRING,
    )
    return {
        "event_time": _times(epoch, frac),
        "event_time_raw": when,
        "host": node,
        "event_type": rtype,
        "app": component,
        "severity": level,
        "message": message,
        "attrs": label_json,
    }


def _label_attrs(label: str) -> str | None:
    return None if label == "-" else '{"label":' + encode_basestring(label) + "}"


def _times(epoch: Array, frac: Array) -> Array:
    """from_epoch(int(epoch) + int(micros) / 1e6) in microseconds.

    Below 2**31 s a double's error is under 0.12 us, so the float's rounding gives the exact
    decimal value, which Arrow computes in integers; other epochs go one distinct text at a time.
    """
    seconds = pc.if_else(
        pc.match_substring_regex(epoch, "^[0-9]{1,10}$"), epoch, pa.scalar(None, _STRING)
    ).cast(_INT64)
    exact = pc.and_(pc.less(seconds, 2**31), pc.match_substring_regex(frac, "^[0-9]{6}$"))
    fast: Array = pc.add(pc.multiply(seconds, 1_000_000), pc.if_else(exact, frac, "0").cast(_INT64))
    if pc.all(pc.fill_null(exact, False)).as_py():
        return fast
    pairs = pc.binary_join_element_wise(epoch, frac, ".")
    other = map_distinct(pairs, _epoch_text, _INT64)
    out: Array = pc.if_else(pc.fill_null(exact, False), fast, other)
    return out


def _epoch_text(text: str) -> int | None:
    epoch, frac = text.split(".")
    return micros(from_epoch(int(epoch) + int(frac) / 1e6))


def _line(line: bytes) -> Fields:
    text, err = decode_line(line)
    f = Fields()
    f.parse_error = err
    f.message = text
    m = _LINE.match(text)
    if m is None:
        f.parse_error = err or "not a BGL RAS line"
        return f
    label, epoch, node, when, frac, rtype, component, level, message = m.groups()
    f.event_time = from_epoch(int(epoch) + int(frac) / 1e6)
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
