"""The record envelope: what was received, from where, when and in what order (format v1).

The canonical bytes are a fixed big-endian layout (docs/FORMAT.md, "Record envelope")::

    version u8 | flags u8 | index u64 | ingest_time_ns i64 |
    source_len u16 | source (UTF-8) | source_file_id u64 | source_offset u64 |
    raw_len u32 | raw

``raw`` is the line exactly as read, without its terminating ``\\n`` (a ``\\r`` before it stays).

>>> env = Envelope(index=0, ingest_time_ns=1, source="auth", source_file_id=7,
...                source_offset=0, raw=b"hello")
>>> Envelope.from_bytes(env.to_bytes()) == env
True
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntFlag

ENVELOPE_VERSION = 1
MAX_SOURCE_BYTES = 0xFFFF
MAX_RAW_BYTES = 0xFFFFFFFF

_HEAD = struct.Struct(">BBQqH")  # version, flags, index, ingest_time_ns, source_len
_MID = struct.Struct(">QQI")  # source_file_id, source_offset, raw_len


class RecordFlag(IntFlag):
    """Facts about how a line was read; part of the signed envelope."""

    NONE = 0
    #: ``raw`` was not followed by ``\\n`` in the source: a last line without a newline, a partial
    #: line stored at rotation, or a chunk of an over-long line that continues in the next record.
    NO_NEWLINE = 0x01
    #: This record continues the line of the previous record of the same source file.
    CONTINUATION = 0x02


KNOWN_FLAGS = RecordFlag.NO_NEWLINE | RecordFlag.CONTINUATION


@dataclass(frozen=True, slots=True)
class Envelope:
    """One record's evidential content. Parsed fields are derived from ``raw`` elsewhere."""

    index: int
    ingest_time_ns: int
    source: str
    source_file_id: int
    source_offset: int
    raw: bytes
    flags: RecordFlag = RecordFlag.NONE
    version: int = ENVELOPE_VERSION

    def to_bytes(self) -> bytes:
        """Canonical bytes; raises ValueError if a field is out of range."""
        source = self.source.encode("utf-8")
        if len(source) > MAX_SOURCE_BYTES:
            raise ValueError(f"source name is {len(source)} bytes, the limit is {MAX_SOURCE_BYTES}")
        if len(self.raw) > MAX_RAW_BYTES:
            raise ValueError(f"raw is {len(self.raw)} bytes, the limit is {MAX_RAW_BYTES}")
        return b"".join(
            (
                _HEAD.pack(
                    self.version, int(self.flags), self.index, self.ingest_time_ns, len(source)
                ),
                source,
                _MID.pack(self.source_file_id, self.source_offset, len(self.raw)),
                self.raw,
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Envelope:
        """Decode canonical bytes; raises ValueError on any malformation or trailing data."""
        try:
            version, flags, index, ingest_ns, slen = _HEAD.unpack_from(data, 0)
            pos = _HEAD.size
            if len(data) < pos + slen:
                raise ValueError("source truncated")
            source = data[pos : pos + slen].decode("utf-8")
            pos += slen
            file_id, offset, rlen = _MID.unpack_from(data, pos)
            pos += _MID.size
        except (struct.error, UnicodeDecodeError) as exc:
            raise ValueError(f"malformed envelope: {exc}") from exc
        if version != ENVELOPE_VERSION:
            raise ValueError(f"unsupported envelope version {version}")
        if flags & ~int(KNOWN_FLAGS):
            raise ValueError(f"unknown flag bits 0x{flags:02x}")
        if len(data) != pos + rlen:
            raise ValueError(f"raw length {rlen} does not match the {len(data) - pos} bytes left")
        return cls(
            index=index,
            ingest_time_ns=ingest_ns,
            source=source,
            source_file_id=file_id,
            source_offset=offset,
            raw=data[pos:],
            flags=RecordFlag(flags),
            version=version,
        )

    @property
    def end_offset(self) -> int:
        """Offset in the source file just after this record's bytes (and its newline)."""
        newline = 0 if self.flags & RecordFlag.NO_NEWLINE else 1
        return self.source_offset + len(self.raw) + newline

    def to_json(self) -> dict[str, object]:
        """JSON-ready form (raw as hex, so any bytes round-trip)."""
        return {
            "version": self.version,
            "flags": int(self.flags),
            "index": self.index,
            "ingest_time_ns": self.ingest_time_ns,
            "source": self.source,
            "source_file_id": self.source_file_id,
            "source_offset": self.source_offset,
            "raw_hex": self.raw.hex(),
        }

    @classmethod
    def from_json(cls, obj: dict[str, object]) -> Envelope:
        """Inverse of :meth:`to_json`; raises ValueError on a missing or mistyped field."""
        try:
            return cls(
                index=_int(obj["index"]),
                ingest_time_ns=_int(obj["ingest_time_ns"]),
                source=str(obj["source"]),
                source_file_id=_int(obj["source_file_id"]),
                source_offset=_int(obj["source_offset"]),
                raw=bytes.fromhex(str(obj["raw_hex"])),
                flags=RecordFlag(_int(obj["flags"])),
                version=_int(obj["version"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"envelope JSON lacks or mistypes a field: {exc}") from exc


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value
