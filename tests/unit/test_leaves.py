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


class TestShaImplementations:
    @needs_native
    def test_big_records_between_small_ones(self):
        """Records too big for a SHA-NI lane (>128 KiB) interleaved with small ones hash right."""
        raw = [b"a", b"x" * 200_000, b"b" * 70, b"c" * 130_000, b"", b"d" * 55, b"e" * 56]
        table = table_of(raw)
        assert leaves.leaf_hashes(table, backend="native") == leaves.leaf_hashes(
            table, backend="python"
        )

    @needs_native
    def test_sha_ni_and_openssl_agree(self, tmp_path):
        """The same leaves and roots come out with SHA-NI on and off (LOGCHAIN_NATIVE_SHANI=0)."""
        import os
        import subprocess
        import sys
        from pathlib import Path

        code = (
            "import sys; from logchain import leaves; "
            "from tests.unit.test_leaves import table_of; "
            "t = table_of([bytes([i % 251]) * (i % 700) for i in range(333)], first=5); "
            "b = leaves.leaf_hashes(t, backend='native'); "
            "r = leaves.chunk_roots(b, 64, backend='native'); "
            "sys.stdout.write(leaves._NATIVE.sha_backend() + ' ' + (b + r + "
            "leaves.root_from_chunk_roots(r, backend='native')).hex())"
        )
        outs = {}
        for flag in ("1", "0"):
            env = {**os.environ, "LOGCHAIN_NATIVE_SHANI": flag}
            proc = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                env=env,
                cwd=Path(__file__).resolve().parents[2],
                check=True,
            )
            backend, digest = proc.stdout.split()
            outs[flag] = (backend, digest)
        assert outs["0"][0] == "openssl"
        assert outs["1"][1] == outs["0"][1]
        table = table_of([bytes([i % 251]) * (i % 700) for i in range(333)], first=5)
        blob = leaves.leaf_hashes(table, backend="python")
        roots = leaves.chunk_roots(blob, 64, backend="python")
        assert (
            outs["0"][1]
            == (blob + roots + leaves.root_from_chunk_roots(roots, backend="python")).hex()
        )
