"""Wall-clock times without a zone (Apache error log, HDFS) to UTC for a whole batch.

The per-line code does ``datetime.strptime(text, fmt).replace(tzinfo=zone).astimezone(UTC)``.
Here each distinct hour (date and hour, as the caller reads them from the text) is converted
once: when one UTC offset holds for the whole hour, its UTC start plus the minutes, seconds and
microseconds (added by Arrow) is the same instant. Rows in an hour where the offset changes, or
whose date the zone cannot place, are converted one by one as the per-line code does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import pyarrow as pa

from ingest.parsers.arrays import Array, micros, pc

#: (year, month, day, hour) of a distinct hour text, None when it is not a valid one.
Hour = tuple[int, int, int, int]
_INT64: Final = pa.int64()
_HOUR_END: Final = timedelta(seconds=3599)
_LIMIT: Final = 100_000


class LocalClock:
    """UTC microseconds of local times in ``zone`` (the memo of hour starts is kept)."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._starts: dict[Hour, int | None] = {}

    def micros(
        self,
        hours: Array,
        hour_of: Callable[[str], Hour | None],
        minute: Array,
        second: Array,
        fraction: Array | None = None,
    ) -> Array:
        """UTC us of rows given as an hour text and int64 minute, second (and microsecond).

        ``hour_of`` reads an hour text (None: not a valid date and hour: the row is null).
        Minutes and seconds above 59 are null, as strptime + datetime make them.
        """
        encoded = pc.dictionary_encode(hours)
        parsed = [hour_of(text) for text in encoded.dictionary.to_pylist()]
        if len(self._starts) > _LIMIT:
            self._starts.clear()
        bases = [self._start(h) if h is not None else None for h in parsed]
        base = pa.array(bases, _INT64).take(encoded.indices)
        valid = pc.and_(pc.less_equal(minute, 59), pc.less_equal(second, 59))
        offset = pc.add(pc.multiply(minute, 60_000_000), pc.multiply(second, 1_000_000))
        if fraction is not None:
            offset = pc.add(offset, fraction)
        out: Array = pc.if_else(valid, pc.add(base, offset), pa.scalar(None, _INT64))
        uneven = [i for i, (h, b) in enumerate(zip(parsed, bases, strict=True)) if h and b is None]
        if uneven:  # hours with an offset change (or no place in the zone): row by row
            rows = pc.and_(pc.is_in(encoded.indices, pa.array(uneven, pa.int32())), valid)
            codes: list[int] = encoded.indices.filter(rows).to_pylist()
            fractions: list[Any] | None = (
                fraction.filter(rows).to_pylist() if fraction is not None else None
            )
            minutes: list[Any] = minute.filter(rows).to_pylist()  # valid rows: never null
            seconds: list[Any] = second.filter(rows).to_pylist()
            exact = [
                self._exact(parsed[code], minutes[k], seconds[k], fractions[k] if fractions else 0)
                for k, code in enumerate(codes)
            ]
            out = pc.replace_with_mask(out, rows, pa.array(exact, _INT64))
        return out

    def _start(self, hour: Hour) -> int | None:
        """UTC us of the hour's start if one offset holds through it, else None."""
        if hour in self._starts:
            return self._starts[hour]
        start = end = None
        try:
            local = datetime(*hour, tzinfo=self.zone)
            start = local.astimezone(UTC)
            end = (local + _HOUR_END).astimezone(UTC)
        except (ValueError, OverflowError):
            pass
        value = micros(start) if start is not None and end == start + _HOUR_END else None
        self._starts[hour] = value
        return value

    def _exact(self, hour: Hour | None, minute: int, second: int, fraction: int) -> int | None:
        if hour is None:
            return None
        try:
            local = datetime(*hour, minute, second, fraction, tzinfo=self.zone)
            return micros(local.astimezone(UTC))
        except (ValueError, OverflowError):
            return None
