"""The C helper and the pure-Python path compute byte-equal leaves and roots."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from logchain import leaves, merkle
from logchain.record import Envelope, RecordFlag
from logchain.segment import RecordBatch, build_table

needs_native = pytest.mark.skipif(
    leaves.available_backend() != "native",
    reason="the C helper is not built here (LOGCHAIN_PURE_PYTHON=1 or no compiler)",
)

lines = st.lists(st.binary(max_size=300), min_size=1, max_size=80)


def table_of(raw: list[bytes], *, first: int = 0, flags: list[int] | None = None) -> pa.Table:
    n = len(raw)
    batch = RecordBatch(
        source=[f"src{i % 3}é" for i in range(n)],
        source_file_id=[2**63 + i for i in range(n)],
        source_offset=[i * 1000 for i in range(n)],
        raw=raw,
        flags=flags or [i % 4 for i in range(n)],
        derived={"parser": ["generic"] * n, "parser_version": ["1"] * n},
    )
    return build_table(batch, first_index=first, ingest_time_ns=1_700_000_000_123_456_789)


class TestLeafHashes:
    @given(lines)
    def test_python_leaves_hash_the_documented_envelope(self, raw):
        """Each leaf is SHA-256(0x00 || envelope bytes) of that row."""
        table = table_of(raw, first=7)
        got = leaves.split_hashes(leaves.leaf_hashes(table, backend="python"))
        for i, line in enumerate(raw):
            env = Envelope(
                index=7 + i,
                ingest_time_ns=1_700_000_000_123_456_789,
                source=f"src{i % 3}é",
                source_file_id=2**63 + i,
                source_offset=i * 1000,
                raw=line,
                flags=RecordFlag(i % 4),
            )
            assert got[i] == merkle.hash_leaf(env.to_bytes())

    @needs_native
    @given(lines, st.integers(min_value=0, max_value=2**40))
    def test_native_equals_python(self, raw, first):
        """The C helper's leaves are byte-equal to the Python ones."""
        table = table_of(raw, first=first)
        assert leaves.leaf_hashes(table, backend="native") == leaves.leaf_hashes(
            table, backend="python"
        )

    @needs_native
    def test_native_handles_sliced_chunked_columns(self):
        """Arrays with a non-zero offset (slices) hash the right rows."""
        table = table_of([f"line {i}".encode() for i in range(100)])
        part = table.slice(37, 20)
        assert leaves.leaf_hashes(part, backend="native") == leaves.leaf_hashes(
            part, backend="python"
        )

    @needs_native
    @given(st.integers(min_value=1, max_value=500), st.sampled_from([1, 2, 64, 256]))
    def test_native_chunk_roots_and_root_equal_python(self, n, chunk):
        """Chunk roots and the root fold the same in C and Python."""
        blob = b"".join(merkle.hash_leaf(str(i).encode()) for i in range(n))
        native = leaves.chunk_roots(blob, chunk, backend="native")
        assert native == leaves.chunk_roots(blob, chunk, backend="python")
        assert leaves.root_from_chunk_roots(native, backend="native") == merkle.root_hash(
            leaves.split_hashes(blob)
        )

    def test_null_envelope_values_are_refused(self):
        """A null in an envelope column cannot be hashed and says which column."""
        table = table_of([b"a", b"b"])
        raw = pa.array([b"a", None], pa.binary())
        table = table.set_column(table.schema.get_field_index("raw"), "raw", raw)
        with pytest.raises(ValueError, match="'raw' has 1 null"):
            leaves.leaf_hashes(table)

    def test_unknown_flag_bits_are_refused(self):
        """Flags outside the format's defined bits cannot be sealed."""
        with pytest.raises(ValueError, match="unknown flag bits"):
            leaves.leaf_hashes(table_of([b"a"], flags=[0x10]))
