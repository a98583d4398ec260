"""Shared value types and the ports (Protocols) the CLI wires adapters into.

Hashes are distinct ``NewType``s over ``bytes`` so a leaf hash cannot be passed where a root
belongs. The core never reads the wall clock itself: it takes a :class:`Clock`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NewType, Protocol

LeafHash = NewType("LeafHash", bytes)
NodeHash = NewType("NodeHash", bytes)
RootHash = NewType("RootHash", bytes)
StatementHash = NewType("StatementHash", bytes)
SegmentId = NewType("SegmentId", int)


@dataclass(frozen=True, slots=True)
class ClockState:
    """What the host knows about its own clock when a seal is made (GPG 13 PMC1).

    ``synchronised`` is None when it cannot be determined. Errors are in microseconds.
    """

    synchronised: bool | None
    source: str
    max_error_us: int | None = None
    est_error_us: int | None = None
    offset_us: int | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "synchronised": self.synchronised,
            "source": self.source,
            "max_error_us": self.max_error_us,
            "est_error_us": self.est_error_us,
            "offset_us": self.offset_us,
        }


class Clock(Protocol):
    """Source of time for the core; tests pass a fixed clock."""

    def now_ns(self) -> int:
        """Nanoseconds since the Unix epoch, UTC."""
        ...

    def state(self) -> ClockState:
        """The host clock's synchronisation state."""
        ...


def ns_to_datetime(ns: int) -> datetime:
    """UTC-aware datetime for nanoseconds since the epoch (microsecond precision)."""
    return datetime.fromtimestamp(ns // 1000 / 1_000_000, tz=UTC)


def format_ns(ns: int) -> str:
    """RFC 3339 UTC text with nanoseconds, e.g. ``2026-11-25T10:00:00.000000001Z``."""
    seconds, frac = divmod(ns, 1_000_000_000)
    base = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{frac:09d}Z"


def parse_rfc3339(text: str) -> datetime:
    """Parse RFC 3339 UTC text (``Z`` or offset); nanoseconds are truncated to microseconds."""
    s = text.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    if "." in s:
        head, rest = s.split(".", 1)
        digits = ""
        while rest and rest[0].isdigit():
            digits += rest[0]
            rest = rest[1:]
        s = f"{head}.{digits[:6].ljust(6, '0')}{rest}"
    value = datetime.fromisoformat(s)
    if value.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no UTC offset")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class VerifiedTimestamp:
    """One RFC 3161 token that verified over a seal's signature."""

    gen_time: datetime
    tsa: str
    self_timestamped: bool


@dataclass(frozen=True, slots=True)
class VerifiedSeal:
    """A seal whose signature, key and timestamps verified; the statement is now trusted."""

    payload: bytes
    key_id: str
    timestamps: tuple[VerifiedTimestamp, ...]

    @property
    def trusted_time(self) -> datetime:
        """The earliest verified timestamp (the seal existed no later than this)."""
        return min(t.gen_time for t in self.timestamps)


class Sealer(Protocol):
    """Signs and timestamps a seal statement, returning the bundle bytes to store."""

    def seal(self, payload: bytes) -> bytes:
        """Sign ``payload`` (canonical in-toto Statement JSON) and timestamp the signature.

        Raises SealingError (or TimestampAuthorityError) and writes nothing on failure.
        """
        ...

    @property
    def key_id(self) -> str:
        """Identifier (hint) of the signing key."""
        ...


class SealVerifier(Protocol):
    """Checks a seal bundle against pinned trust material (never keys inside the bundle)."""

    def verify(self, bundle: bytes, *, seal_index: int | None = None) -> VerifiedSeal:
        """Verify signature, key validity and timestamps.

        Raises SealInvalid, KeyNotValid or TimestampInvalid.
        """
        ...
