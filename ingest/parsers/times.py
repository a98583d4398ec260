"""Timestamps found in logs, as UTC-aware datetimes.

BSD syslog (RFC 3164) writes ``Mmm dd hh:mm:ss`` with neither year nor zone. The zone is the
configured one (``ParserOptions.timezone``, an IANA name). The year is ``ParserOptions.year`` when
set; otherwise it is inferred: the year of the reference time (``reference_time_ns``, else the
time of the batch) in that zone, minus one when the timestamp would then lie more than one day
after the reference date (its UTC day, so results stay stable within a day): a log line cannot
come from the future, and the day of slack covers any zone mismatch. So a ``Dec 31`` line read on
2 January is dated the previous year, and a backlog file from last December read in November
too. A ``Feb 29``
goes back to the latest leap year not after the inferred year. Local times that do not exist or
repeat (daylight-saving changes) resolve with ``fold=0``, as :mod:`zoneinfo` does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa

from ingest.parsers.arrays import Array, map_distinct, pc
from logchain.errors import UsageError

MONTHS: Final = {
    m: i + 1
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    )
}
#: A timestamp may lie this far after the start of the reference day (that day + one of slack).
_HORIZON: Final = timedelta(days=2)
_HOUR_END: Final = timedelta(seconds=3599)
_NS_PER_DAY: Final = 86_400 * 10**9
_CACHE_LIMIT: Final = 200_000
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US: Final = timedelta(microseconds=1)
_INT64: Final = pa.int64()


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raises UsageError naming it when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            f"unknown timezone {name!r}",
            hint="Use an IANA zone name such as 'UTC' or 'Europe/London'.",
        ) from exc


class BsdClock:
    """Converts ``Mmm dd hh:mm:ss`` to UTC datetimes (year inference as in the module doc).

    Results are memoised per timestamp text, and so is the UTC time of each local hour that has
    one offset throughout (minutes and seconds are then added; an hour in which the offset
    changes, such as Lord Howe's half-hour shift, is converted second by second). The memos
    are cleared when the reference day changes, so a long-running parser keeps inferring from
    the current date.
    """

    __slots__ = ("_cache", "_fixed_ref", "_horizon", "_hours", "_ref_day", "_ref_year", "_year",
                 "_zone")  # fmt: skip

    def __init__(self, zone: ZoneInfo, year: int | None, reference_time_ns: int | None) -> None:
        self._zone = zone
        self._year = year
        self._fixed_ref = reference_time_ns
        self._ref_day = -1
        self._ref_year = 0
        self._horizon = datetime.min.replace(tzinfo=UTC)
        self._cache: dict[str, datetime | None] = {}
        self._hours: dict[str, datetime | None] = {}  # "Mmm dd hh" -> UTC start of that hour

    def start_batch(self) -> dict[str, datetime | None]:
        """The memo to use for one batch (reset when the reference day moved)."""
        ref = self._fixed_ref if self._fixed_ref is not None else time.time_ns()
        day = ref // _NS_PER_DAY
        if day != self._ref_day or len(self._cache) > _CACHE_LIMIT:
            self._ref_day = day
            start = datetime.fromtimestamp(day * 86_400, UTC)
            self._ref_year = start.astimezone(self._zone).year
            self._horizon = start + _HORIZON
            self._cache = {}
            self._hours = {}
        return self._cache

    def convert(self, text: str) -> datetime | None:
        """UTC time of ``text`` (memoised by the caller), None if it is not a valid timestamp."""
        prefix = text[:9]  # "Mmm dd hh"
        if prefix in self._hours:
            base = self._hours[prefix]
        else:
            base = self._hours[prefix] = self._hour_start(text)
        if base is None:
            return self._exact(text)
        try:
            minute, second = int(text[10:12]), int(text[13:15])
        except ValueError:
            return None
        if minute > 59 or second > 59:
            return None
        return base + timedelta(seconds=minute * 60 + second)

    def micros(self, stamps: Array) -> Array:
        """UTC microseconds (int64) of ``Mmm dd hh:mm:ss`` texts, null where invalid.

        The same values as :meth:`convert`, for a whole array: the UTC start of each distinct
        hour comes from the memo, minutes and seconds are added by Arrow. Every text must be 15
        ASCII characters with digits where the layout has them (the caller's regex checks it).
        """
        raw = stamps.cast(pa.binary())  # ASCII: byte slices (faster than UTF-8 ones)
        hours = pc.dictionary_encode(pc.binary_slice(raw, 0, 9).view(pa.string()))
        bases: list[int | None] = []
        for prefix in hours.dictionary.to_pylist():
            if prefix in self._hours:
                start = self._hours[prefix]
            else:
                start = self._hours[prefix] = self._hour_start(prefix)
            bases.append(None if start is None else (start - _EPOCH) // _ONE_US)
        base = pa.array(bases, _INT64).take(hours.indices)
        minute = pc.binary_slice(raw, 10, 12).view(pa.string()).cast(_INT64)
        second = pc.binary_slice(raw, 13, 15).view(pa.string()).cast(_INT64)
        valid = pc.and_(pc.less_equal(minute, 59), pc.less_equal(second, 59))
        offset = pc.add(pc.multiply(minute, 60_000_000), pc.multiply(second, 1_000_000))
        out: Array = pc.if_else(valid, pc.add(base, offset), pa.scalar(None, _INT64))
        if None in bases:  # hours with an offset change (or invalid dates): one by one
            missing = pc.is_null(base)
            exact = [self._exact(str(text)) for text in stamps.filter(missing).to_pylist()]
            fill = [None if t is None else (t - _EPOCH) // _ONE_US for t in exact]
            out = pc.replace_with_mask(out, missing, pa.array(fill, _INT64))
        return out

    def _hour_start(self, text: str) -> datetime | None:
        """UTC start of the hour of ``text`` in its (inferred) year, if one offset spans it.

        None means: convert this hour's timestamps one by one (an offset change, the inference
        horizon inside the hour, or an invalid date).
        """
        try:
            month, day, hour = MONTHS[text[0:3]], int(text[4:6]), int(text[7:9])
        except (KeyError, ValueError):
            return None
        year = self._year if self._year is not None else self._ref_year
        start = self._uniform_hour(year, month, day, hour)
        if self._year is None and start is not None and start + _HOUR_END >= self._horizon:
            if start < self._horizon:
                return None
            start = self._uniform_hour(year - 1, month, day, hour)
        return start

    def _uniform_hour(self, year: int, month: int, day: int, hour: int) -> datetime | None:
        start = self._at(year, month, day, hour, 0)
        end = self._at(year, month, day, hour, 3599)
        return start if start is not None and end == start + _HOUR_END else None

    def _exact(self, text: str) -> datetime | None:
        try:
            month, day = MONTHS[text[0:3]], int(text[4:6])
            hour, minute, second = int(text[7:9]), int(text[10:12]), int(text[13:15])
        except (KeyError, ValueError):
            return None
        if minute > 59 or second > 59:
            return None
        year = self._year if self._year is not None else self._ref_year
        when = self._at(year, month, day, hour, minute * 60 + second)
        if self._year is None and when is not None and when >= self._horizon:
            when = self._at(year - 1, month, day, hour, minute * 60 + second)
        return when

    def _at(self, year: int, month: int, day: int, hour: int, seconds: int) -> datetime | None:
        minute, second = divmod(seconds, 60)
        for y in range(year, year - 8, -1):
            try:
                local = datetime(y, month, day, hour, minute, second, tzinfo=self._zone)
            except ValueError:
                if not (month == 2 and day == 29):
                    return None
                continue
            return local.astimezone(UTC)
        return None


def parse_iso(text: str) -> datetime | None:
    """RFC 3339 / ISO 8601 text as UTC (naive means UTC); None if it is not one."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def from_epoch(seconds: float) -> datetime | None:
    """UTC time of a Unix timestamp in seconds; None when out of range."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def to_time(value: object) -> datetime | None:
    """A JSON timestamp: RFC 3339 text, or a Unix time in s, ms, us or ns (told apart by size)."""
    if isinstance(value, str):
        if value.replace(".", "", 1).isdigit():
            return to_time(float(value))
        return parse_iso(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
        for _ in range(3):
            if abs(seconds) < 1e11:
                break
            seconds /= 1000
        return from_epoch(seconds)
    return None


_CLF_SHAPE: Final = r"^[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}$"


def clf_micros(stamps: Array, convert: Callable[[str], datetime | None]) -> Array:
    """UTC microseconds (int64) of Common Log Format times, as :func:`parse_clf` gives them.

    ``convert`` is parse_clf, or a memo of it. Each distinct day and offset is converted once
    (as its midnight) and the time of day is added by Arrow; times of another shape than
    ``dd/Mmm/yyyy:hh:mm:ss +hhmm`` go through ``convert`` one distinct text at a time.
    """
    shaped = pc.match_substring_regex(stamps, _CLF_SHAPE)
    if not pc.all(shaped).as_py():
        other = map_distinct(stamps, lambda t: _micros(convert(t)), _INT64)
        if not pc.any(shaped).as_py():
            return other
        fast = _clf_shaped(stamps.filter(shaped), convert)
        out: Array = pc.replace_with_mask(other, shaped, fast)
        return out
    return _clf_shaped(stamps, convert)


def _clf_shaped(stamps: Array, convert: Callable[[str], datetime | None]) -> Array:
    day = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(stamps, 0, 11), ":00:00:00", pc.utf8_slice_codeunits(stamps, 20), ""
    )
    base = map_distinct(day, lambda t: _micros(convert(t)), _INT64)
    hour, minute, second = (
        pc.utf8_slice_codeunits(stamps, i, i + 2).cast(_INT64) for i in (12, 15, 18)
    )
    valid = pc.and_(
        pc.less_equal(hour, 23), pc.and_(pc.less_equal(minute, 59), pc.less_equal(second, 59))
    )
    seconds = pc.add(pc.add(pc.multiply(hour, 3600), pc.multiply(minute, 60)), second)
    out: Array = pc.if_else(
        valid, pc.add(base, pc.multiply(seconds, 1_000_000)), pa.scalar(None, _INT64)
    )
    return out


_ISO_SHAPE: Final = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?$"
)
_ZONE: Final = r"(?:Z|[+-][0-9]{2}:[0-9]{2})$"


def iso_micros(texts: Array) -> tuple[Array, Array]:
    """(UTC microseconds as the JSON time parser gives them, which texts this covers).

    Covered: ``YYYY-MM-DDThh:mm:ss[.f{1,6}][Z|+hh:mm]`` (no zone: UTC). Each distinct day and
    zone is converted once (its midnight, by parse_iso); the time of day is added by Arrow.
    """
    simple = pc.match_substring_regex(texts, _ISO_SHAPE)
    safe = pc.if_else(simple, texts, "1970-01-01T00:00:00Z")
    zone = pc.if_else(
        pc.ends_with(safe, "Z"),
        "+00:00",
        pc.if_else(pc.match_substring_regex(safe, _ZONE), pc.utf8_slice_codeunits(safe, -6), ""),
    )
    day = pc.binary_join_element_wise(pc.utf8_slice_codeunits(safe, 0, 10), "T00:00:00", zone, "")
    base = map_distinct(day, _midnight, _INT64)
    fraction = pc.replace_substring_regex(pc.utf8_slice_codeunits(safe, 19), _ZONE, "")
    fraction = pc.utf8_rpad(pc.utf8_ltrim(fraction, "."), 6, "0").cast(_INT64)
    hour, minute, second = (
        pc.utf8_slice_codeunits(safe, i, i + 2).cast(_INT64) for i in (11, 14, 17)
    )
    valid = pc.and_(
        pc.less_equal(hour, 23), pc.and_(pc.less_equal(minute, 59), pc.less_equal(second, 59))
    )
    seconds = pc.add(pc.add(pc.multiply(hour, 3600), pc.multiply(minute, 60)), second)
    total = pc.add(base, pc.add(pc.multiply(seconds, 1_000_000), fraction))
    out: Array = pc.if_else(pc.and_(valid, simple), total, pa.scalar(None, _INT64))
    return out, simple


def _midnight(text: str) -> int | None:
    try:
        return _micros(parse_iso(text))
    except OverflowError:  # a zone pushing year 1 before the epoch's range
        return None


def _micros(when: datetime | None) -> int | None:
    return None if when is None else (when - _EPOCH) // _ONE_US


def parse_clf(text: str) -> datetime | None:
    """Common Log Format time ``10/Oct/2000:13:55:36 -0700`` as UTC; None if malformed."""
    try:
        return datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z").astimezone(UTC)
    except ValueError:
        return None


def parse_local(text: str, fmt: str, zone: ZoneInfo) -> datetime | None:
    """``text`` in strptime format ``fmt``, a local time in ``zone``, as UTC; None if malformed."""
    try:
        return datetime.strptime(text, fmt).replace(tzinfo=zone).astimezone(UTC)
    except ValueError:
        return None
