"""Envelope canonical bytes round-trip for arbitrary values (format v1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logchain.record import Envelope, RecordFlag

u64 = st.integers(min_value=0, max_value=2**64 - 1)
i64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
flags = st.sampled_from([RecordFlag(f) for f in range(4)])
sources = st.text(max_size=40).filter(lambda s: len(s.encode("utf-8")) <= 0xFFFF)

envelopes = st.builds(
    Envelope,
    index=u64,
    ingest_time_ns=i64,
    source=sources,
    source_file_id=u64,
    source_offset=u64,
    raw=st.binary(max_size=2048),
    flags=flags,
)


class TestEnvelopeRoundTrip:
    @given(envelopes)
    def test_bytes_round_trip(self, env):
        """Decoding the canonical bytes gives the same envelope, and re-encoding the same bytes."""
        data = env.to_bytes()
        back = Envelope.from_bytes(data)
        assert back == env
        assert back.to_bytes() == data

    @given(envelopes)
    def test_json_round_trip(self, env):
        """The JSON form (raw as hex) round-trips any raw bytes and unicode source."""
        assert Envelope.from_json(env.to_json()) == env

    @given(envelopes, st.binary(min_size=1, max_size=8))
    def test_trailing_bytes_are_refused(self, env, extra):
        """Bytes after the declared raw length are a malformed envelope, never ignored."""
        with pytest.raises(ValueError, match="does not match"):
            Envelope.from_bytes(env.to_bytes() + extra)

    @given(st.binary(max_size=120))
    def test_arbitrary_bytes_decode_or_fail_cleanly(self, data):
        """Any byte string either decodes to an envelope that re-encodes to it, or is ValueError."""
        try:
            env = Envelope.from_bytes(data)
        except ValueError:
            return
        assert env.to_bytes() == data
