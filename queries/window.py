"""The time window of a query, and which sealed segments can hold records inside it.

A record's query time ``ts`` is its ``event_time`` when the parser found one, else its
``ingest_time``. A segment's seal states both ranges (``first_event``..``last_event`` and
``first_ingest_ns``..``last_ingest_ns``), so every record of the segment has ``ts`` inside one of
them: a segment is read only when ``[since, until)`` meets either range. The check uses the
*verified* seal statement, before the segment file is opened or hashed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from logchain.statement import SealStatement
from logchain.types import ns_to_datetime, parse_rfc3339


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A half-open UTC interval ``[since, until)``; either end may be open (None)."""

    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        for value in (self.since, self.until):
            if value is not None and value.tzinfo is None:
                raise ValueError("window bounds must be UTC-aware datetimes")
        if self.since and self.until and self.until <= self.since:
            raise ValueError("--until must be later than --since")

    @property
    def bounded(self) -> bool:
        return self.since is not None or self.until is not None

    def meets(self, first: datetime, last: datetime) -> bool:
        """True if the closed range ``[first, last]`` meets the window."""
        return (self.since is None or last >= self.since) and (
            self.until is None or first < self.until
        )

    def keep(self, st: SealStatement) -> bool:
        """Whether the segment sealed by ``st`` can hold a record inside the window."""
        seg = st.segment
        if seg is None:
            return False
        if not self.bounded:
            return True
        if self.meets(ns_to_datetime(seg.first_ingest_ns), ns_to_datetime(seg.last_ingest_ns)):
            return True
        if seg.first_event is None or seg.last_event is None:
            return False
        return self.meets(parse_rfc3339(seg.first_event), parse_rfc3339(seg.last_event))

    def to_json(self) -> dict[str, str | None]:
        return {"since": _iso(self.since), "until": _iso(self.until)}

    @classmethod
    def from_json(cls, obj: dict[str, object]) -> TimeWindow:
        """Parse ``{"since": ..., "until": ...}``; raises ValueError on a bad value."""
        since, until = obj.get("since"), obj.get("until")
        return cls(
            since=None if since is None else parse_rfc3339(str(since)),
            until=None if until is None else parse_rfc3339(str(until)),
        )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str, *, now: datetime) -> datetime:
    """Parse RFC 3339 text, a date (``2026-01-31``, midnight UTC) or ``-2h``/``-30m``/``-7d``.

    Raises ValueError naming the accepted forms.
    """
    s = text.strip()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    if s.startswith("-") and s[-1:] in units and s[1:-1].isdigit():
        return now - timedelta(seconds=int(s[1:-1]) * units[s[-1]])
    try:
        if len(s) == 10:
            return datetime.fromisoformat(s).replace(tzinfo=UTC)
        return parse_rfc3339(s)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time: use RFC 3339 (2026-01-31T10:00:00Z), a date (2026-01-31) "
            "or a relative time (-30m, -2h, -7d)"
        ) from None
