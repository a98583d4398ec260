"""The record envelope's canonical bytes (format v1)."""

from __future__ import annotations

import struct

import pytest

from logchain.record import Envelope, RecordFlag


class TestEnvelope:
    def test_layout_matches_the_documented_fields(self):
        """The bytes are version, flags, index, time, source, file id, offset, raw, big-endian."""
        env = Envelope(
            index=5,
            ingest_time_ns=-2,
            source="é",
            source_file_id=9,
            source_offset=10,
            raw=b"a\r",
            flags=RecordFlag.NO_NEWLINE,
        )
        expected = (
            struct.pack(">BBQqH", 1, 1, 5, -2, 2)
            + "é".encode()
            + struct.pack(">QQI", 9, 10, 2)
            + b"a\r"
        )
        assert env.to_bytes() == expected

    def test_round_trip_keeps_every_byte(self):
        """Decoding the encoding gives the same envelope, binary raw included."""
        env = Envelope(
            index=2**64 - 1,
            ingest_time_ns=2**63 - 1,
            source="auth",
            source_file_id=2**64 - 1,
            source_offset=0,
            raw=bytes(range(256)),
        )
        assert Envelope.from_bytes(env.to_bytes()) == env

    @pytest.mark.parametrize(
        ("mutate", "message"),
        [
            (lambda b: b[:-1], "raw length"),
            (lambda b: b + b"x", "raw length"),
            (lambda b: b"\x02" + b[1:], "unsupported envelope version"),
            (lambda b: b[:1] + b"\x80" + b[2:], "unknown flag bits"),
            (lambda b: b[:5], "malformed envelope"),
        ],
    )
    def test_malformed_bytes_are_rejected(self, mutate, message):
        """Truncation, trailing bytes, a wrong version or unknown flags are refused."""
        env = Envelope(
            index=1, ingest_time_ns=1, source="s", source_file_id=1, source_offset=1, raw=b"hello"
        )
        with pytest.raises(ValueError, match=message):
            Envelope.from_bytes(mutate(env.to_bytes()))

    def test_end_offset_counts_the_newline_unless_flagged(self):
        """A line read with its newline ends one byte later than one without."""
        env = Envelope(
            index=0, ingest_time_ns=0, source="s", source_file_id=1, source_offset=100, raw=b"abc"
        )
        assert env.end_offset == 104
        assert Envelope(**{**_fields(env), "flags": RecordFlag.NO_NEWLINE}).end_offset == 103

    def test_json_form_round_trips(self):
        """The JSON form used in proofs decodes to the same envelope."""
        env = Envelope(
            index=3,
            ingest_time_ns=4,
            source="x",
            source_file_id=5,
            source_offset=6,
            raw=b"\xff\x00",
            flags=RecordFlag.CONTINUATION,
        )
        assert Envelope.from_json(env.to_json()) == env

    def test_oversized_source_is_refused(self):
        """A source name longer than 65535 bytes cannot be encoded."""
        env = Envelope(
            index=0,
            ingest_time_ns=0,
            source="s" * 70000,
            source_file_id=0,
            source_offset=0,
            raw=b"",
        )
        with pytest.raises(ValueError, match="source name is 70000 bytes"):
            env.to_bytes()


def _fields(env: Envelope) -> dict[str, object]:
    return {f: getattr(env, f) for f in env.__slots__}
