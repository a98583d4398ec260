"""Linux audit daemon records, raw ``audit.log``.

``[node=HOST ]type=TYPE msg=audit(SECONDS.MILLIS:SERIAL): key=value ...``, where values are bare,
``"quoted"``, or hex-encoded when they hold spaces or special bytes (``cmd=636174...``); USER_*
records nest a second ``msg='key=value ...'``; the enriched log format appends translated
fields (``AUID="alice"``) after a 0x1D byte. Every record of one event shares the serial, which
becomes ``event_id``, so ``GROUP BY event_id`` puts a SYSCALL with its EXECVE, PATH, PROCTITLE
and SOCKADDR records. Fields and their mapping: :mod:`~ingest.parsers.auditd_fields`.

Speed: the header of every line of a batch comes from one regex pass, the times are computed by
Arrow; the body's fields are read line by line (a batch-wide pass over them measured slower),
with each distinct nested ``msg='...'`` decoded once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import pyarrow as pa

from ingest.parsers.arrays import (
    Array,
    decode_line,
    map_distinct,
    micros,
    pc,
)
from ingest.parsers.auditd_fields import (
    Nested,
    decode_value,
    derive,
    derive_record,
    fields_of,
    sockaddr,
)
from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.batch_match import BatchPattern
from ingest.parsers.columns import Fields, merge_slow_lines
from ingest.parsers.times import from_epoch

__all__ = ["AuditdParser", "decode_value", "fields_of", "make_auditd", "sockaddr"]

NAME: Final = "auditd"
VERSION: Final = "1"

_HEAD: Final = re.compile(
    r"(?:node=(\S+) )?type=(\S+) msg=audit\((\d+)\.(\d+):(\d+)\): ?(.*)$", re.S
)
_BATCH: Final = BatchPattern.compile(
    r"(?:node=(\S+) )?type=(\S+) msg=audit\((\d+)\.(\d+):(\d+)\): ?([^\n]*)$"
)
_NESTED_LIMIT: Final = 50_000
_INT64: Final = pa.int64()
_STRING: Final = pa.string()
#: The columns of auditd_fields.derive, in its order.
_DERIVED: Final = ("pid", "outcome", "user", "src_ip", "dst_ip", "dst_port", "app", "action",
                   "object", "attrs")  # fmt: skip


@dataclass(slots=True)
class AuditdParser:
    """Parser instance; keeps the decoded nested messages seen (they repeat)."""

    nested: dict[str, Nested] = field(default_factory=dict)
    name: str = NAME
    version: str = VERSION

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns per record; lines without ``type=... msg=audit(...)`` get parse_error."""
        if len(self.nested) > _NESTED_LIMIT:
            self.nested.clear()
        n = len(lines)
        heads, others = _BATCH.split(lines)
        fast = self._columns(heads)
        slow = [_parse_line(lines[i]) for i in others]
        return merge_slow_lines(fast, n, others, slow, NAME, VERSION)

    def _columns(self, heads: list[Array]) -> dict[str, Array | list[object]]:
        node, rtype, secs, frac, serial, body = heads
        nested = self.nested
        texts: list[Any] = body.to_pylist()  # str: the pattern's groups are never null
        kinds: list[Any] = rtype.to_pylist()
        rows = [derive_record(text, kind, nested) for text, kind in zip(texts, kinds, strict=True)]
        columns: dict[str, Array | list[object]] = {
            name: list(values)
            for name, values in zip(
                _DERIVED, zip(*rows, strict=True) if rows else [()] * 10, strict=True
            )
        }
        columns.update(
            host=pc.if_else(pc.equal(node, ""), pa.scalar(None, _STRING), node),
            event_type=rtype,
            event_id=serial,
            event_time_raw=pc.binary_join_element_wise(secs, frac, "."),
            event_time=_times(secs, frac),
            message=body,
        )
        return columns


def _times(secs: Array, frac: Array) -> Array:
    """UTC microseconds of ``SECONDS.FRACTION`` exactly as from_epoch gives them.

    from_epoch rounds a float; for a fraction of at most 6 digits and seconds below 2**31 the
    float's error is under 0.12 us, so the result is the exact decimal value, which Arrow
    computes in integers. Other times go through from_epoch, once per distinct text.
    """
    exact = pc.and_(
        pc.and_(pc.less_equal(pc.utf8_length(frac), 6), pc.less_equal(pc.utf8_length(secs), 10)),
        pc.and_(pc.string_is_ascii(secs), pc.string_is_ascii(frac)),
    )
    if not pc.all(exact).as_py():
        return map_distinct(pc.binary_join_element_wise(secs, frac, "."), _epoch_text, _INT64)
    seconds = secs.cast(_INT64)
    if pc.any(pc.greater_equal(seconds, 2**31)).as_py():
        return map_distinct(pc.binary_join_element_wise(secs, frac, "."), _epoch_text, _INT64)
    scale = pc.power(10, pc.subtract(6, pc.utf8_length(frac))).cast(_INT64)
    fraction = pc.multiply(frac.cast(_INT64), scale)
    out: Array = pc.add(pc.multiply(seconds, 1_000_000), fraction)
    return out


def _epoch_text(text: str) -> int | None:
    secs, frac = text.split(".")
    return micros(_epoch(secs, frac))


def _epoch(secs: str, frac: str) -> datetime | None:
    try:
        return from_epoch(int(secs) + int(frac) / 10 ** len(frac))
    except OverflowError:  # hundreds of digits: no time (the float conversion fails)
        return None


def _parse_line(line: bytes) -> Fields:
    """One line on its own (the lines the batch pattern does not take)."""
    text, err = decode_line(line)
    f = Fields()
    f.message = text
    f.parse_error = err
    m = _HEAD.match(text)
    if m is None:
        f.parse_error = err or "not an audit record: no 'type=... msg=audit(...)'"
        return f
    node, rtype, secs, frac, serial, body = m.groups()
    f.host = node
    f.event_type = rtype
    f.event_id = serial
    f.event_time_raw = f"{secs}.{frac}"
    f.event_time = _epoch(secs, frac)
    f.message = body
    (f.pid, f.outcome, f.user, f.src_ip, f.dst_ip, f.dst_port, f.app, f.action, f.object,
     f.attrs) = derive(fields_of(body, rtype))  # fmt: skip
    return f


def make_auditd(options: ParserOptions) -> AuditdParser:
    return AuditdParser()
