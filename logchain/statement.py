"""The seal statement: an in-toto Statement v1 whose predicate links the seal chain (format v1).

The statement is serialised as canonical JSON (RFC 8785 for the values used here: sorted keys, no
whitespace, UTF-8, integers only) and signed inside a DSSE envelope by ``sealing``. The chain links
by the SHA-256 of these payload bytes, so timestamps can be added to a bundle later without breaking
the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from logchain.errors import SealInvalid
from logchain.types import ClockState, StatementHash

FORMAT = "logchain/v1"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "urn:logchain:seal:v1"
CHAIN_SUBJECT = "logchain-chain"


class SealKind(Enum):
    """Why a seal was made. A writer session runs ``open`` ... ``close``."""

    GENESIS = "genesis"  # seal 0, made by `logchain init`; the chain is closed after it
    OPEN = "open"  # a writer session starts
    SEGMENT = "segment"  # a segment of records
    HEARTBEAT = "heartbeat"  # no records for a seal interval; keeps the cadence
    CLOSE = "close"  # a writer session ended cleanly


#: Kinds after which the chain is at rest (no cadence is owed until the next ``open``).
CLOSED_KINDS = frozenset({SealKind.GENESIS, SealKind.CLOSE})


@dataclass(frozen=True, slots=True)
class SourceCheckpoint:
    """How far one source file has been read into sealed records (the ingest checkpoint).

    ``offset`` is the byte offset in the file just past the last sealed record of that file.
    ``fingerprint`` is the hex SHA-256 of the file's first ``fingerprint_len`` bytes.
    """

    source: str
    file_id: int
    offset: int
    device: int = 0
    path: str = ""
    fingerprint: str = ""
    fingerprint_len: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "file_id": self.file_id,
            "offset": self.offset,
            "device": self.device,
            "path": self.path,
            "fingerprint": self.fingerprint,
            "fingerprint_len": self.fingerprint_len,
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, object]) -> SourceCheckpoint:
        return cls(
            source=_str(obj, "source"),
            file_id=_int(obj, "file_id"),
            offset=_int(obj, "offset"),
            device=_int(obj, "device"),
            path=_str(obj, "path"),
            fingerprint=_str(obj, "fingerprint"),
            fingerprint_len=_int(obj, "fingerprint_len"),
        )


@dataclass(frozen=True, slots=True)
class SegmentSummary:
    """What a segment seal says about its Parquet file and records."""

    name: str
    sha256: str
    size: int
    first_index: int
    count: int
    root_hash: str
    chunk_size: int
    first_ingest_ns: int
    last_ingest_ns: int
    first_event: str | None = None
    last_event: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "sha256": self.sha256,
            "size": self.size,
            "first_index": self.first_index,
            "count": self.count,
            "root_hash": self.root_hash,
            "chunk_size": self.chunk_size,
            "first_ingest_ns": self.first_ingest_ns,
            "last_ingest_ns": self.last_ingest_ns,
            "first_event": self.first_event,
            "last_event": self.last_event,
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, object]) -> SegmentSummary:
        return cls(
            name=_str(obj, "name"),
            sha256=_str(obj, "sha256"),
            size=_int(obj, "size"),
            first_index=_int(obj, "first_index"),
            count=_int(obj, "count"),
            root_hash=_str(obj, "root_hash"),
            chunk_size=_int(obj, "chunk_size"),
            first_ingest_ns=_int(obj, "first_ingest_ns"),
            last_ingest_ns=_int(obj, "last_ingest_ns"),
            first_event=_opt_str(obj, "first_event"),
            last_event=_opt_str(obj, "last_event"),
        )


@dataclass(frozen=True, slots=True)
class SealStatement:
    """The predicate of one seal, plus the subject the in-toto Statement names."""

    log_id: str
    seal_index: int
    kind: SealKind
    prev_statement_sha256: str | None
    sealed_at: str
    seal_interval_s: int
    next_index: int
    clock: ClockState
    writer: Mapping[str, str]
    segment: SegmentSummary | None = None
    sources: tuple[SourceCheckpoint, ...] = ()
    parsers: Mapping[str, str] = field(default_factory=dict)
    format: str = FORMAT

    # ------------------------------------------------------------ encoding

    def subject(self) -> list[dict[str, object]]:
        """in-toto subjects: the segment file, or for other kinds the chain state."""
        if self.segment is not None:
            return [
                {"name": f"segments/{self.segment.name}", "digest": {"sha256": self.segment.sha256}}
            ]
        anchor = self.prev_statement_sha256 or hashlib.sha256(self.log_id.encode()).hexdigest()
        return [{"name": CHAIN_SUBJECT, "digest": {"sha256": anchor}}]

    def predicate(self) -> dict[str, object]:
        return {
            "format": self.format,
            "log_id": self.log_id,
            "seal_index": self.seal_index,
            "kind": self.kind.value,
            "prev_statement_sha256": self.prev_statement_sha256,
            "sealed_at": self.sealed_at,
            "seal_interval_s": self.seal_interval_s,
            "next_index": self.next_index,
            "clock": self.clock.to_json(),
            "writer": dict(self.writer),
            "segment": None if self.segment is None else self.segment.to_json(),
            "sources": [s.to_json() for s in self.sources],
            "parsers": dict(self.parsers),
        }

    def to_payload(self) -> bytes:
        """Canonical JSON bytes of the in-toto Statement (what gets signed)."""
        statement = {
            "_type": STATEMENT_TYPE,
            "subject": self.subject(),
            "predicateType": PREDICATE_TYPE,
            "predicate": self.predicate(),
        }
        return canonical_json(statement)

    # ------------------------------------------------------------ decoding

    @classmethod
    def from_payload(cls, payload: bytes, *, seal_index: int | None = None) -> SealStatement:
        """Parse statement bytes; raises SealInvalid naming the problem."""
        try:
            doc = json.loads(payload)
            if not isinstance(doc, dict):
                raise ValueError("statement is not a JSON object")
            if doc.get("_type") != STATEMENT_TYPE:
                raise ValueError(f"_type is {doc.get('_type')!r}, expected {STATEMENT_TYPE}")
            if doc.get("predicateType") != PREDICATE_TYPE:
                raise ValueError(f"predicateType is {doc.get('predicateType')!r}")
            pred = doc["predicate"]
            if not isinstance(pred, dict):
                raise ValueError("predicate is not an object")
            fmt = _str(pred, "format")
            if fmt != FORMAT:
                raise ValueError(f"format {fmt!r} is not {FORMAT}")
            seg = pred.get("segment")
            clock = pred["clock"]
            writer = pred["writer"]
            parsers = pred["parsers"]
            sources = pred["sources"]
            if not isinstance(clock, dict) or not isinstance(writer, dict):
                raise ValueError("clock and writer must be objects")
            if not isinstance(parsers, dict) or not isinstance(sources, list):
                raise ValueError("parsers must be an object and sources a list")
            statement = cls(
                log_id=_str(pred, "log_id"),
                seal_index=_int(pred, "seal_index"),
                kind=SealKind(_str(pred, "kind")),
                prev_statement_sha256=_opt_str(pred, "prev_statement_sha256"),
                sealed_at=_str(pred, "sealed_at"),
                seal_interval_s=_int(pred, "seal_interval_s"),
                next_index=_int(pred, "next_index"),
                clock=ClockState(
                    synchronised=_opt_bool(clock, "synchronised"),
                    source=_str(clock, "source"),
                    max_error_us=_opt_int(clock, "max_error_us"),
                    est_error_us=_opt_int(clock, "est_error_us"),
                    offset_us=_opt_int(clock, "offset_us"),
                ),
                writer={str(k): str(v) for k, v in writer.items()},
                segment=None if seg is None else SegmentSummary.from_json(_obj(seg)),
                sources=tuple(SourceCheckpoint.from_json(_obj(s)) for s in sources),
                parsers={str(k): str(v) for k, v in parsers.items()},
                format=fmt,
            )
            if doc.get("subject") != statement.subject():
                raise ValueError("subject does not match the predicate")
        except (ValueError, KeyError, TypeError) as exc:
            raise SealInvalid(seal_index, "malformed seal statement", detail=str(exc)) from exc
        return statement


def statement_hash(payload: bytes) -> StatementHash:
    """SHA-256 of the statement payload bytes exactly as signed (the chain link)."""
    return StatementHash(hashlib.sha256(payload).digest())


def canonical_json(value: object) -> bytes:
    """RFC 8785-compatible JSON for values without floats: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


# ---------------------------------------------------------------- strict field access


def _obj(value: object) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return value


def _str(obj: Mapping[str, object], key: str) -> str:
    value = obj[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} must be a string")
    return value


def _opt_str(obj: Mapping[str, object], key: str) -> str | None:
    value = obj.get(key)
    return None if value is None else _str(obj, key)


def _int(obj: Mapping[str, object], key: str) -> int:
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key} must be an integer")
    return value


def _opt_int(obj: Mapping[str, object], key: str) -> int | None:
    value = obj.get(key)
    return None if value is None else _int(obj, key)


def _opt_bool(obj: Mapping[str, object], key: str) -> bool | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{key} must be a boolean or null")
    return value
