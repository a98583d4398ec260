"""Writing segments: hashes computed while Parquet encodes, footer metadata, failure paths."""

from __future__ import annotations

import hashlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from logchain import leaves, merkle
from logchain.errors import RootMismatch, StorageError
from logchain.fileops import map_file
from logchain.hashing import SegmentHasher
from logchain.segment import RecordBatch, build_table, read_meta, write_segment
from logchain.segment_check import check_segment
from logchain.statement import SegmentSummary

needs_native = pytest.mark.skipif(
    leaves.available_backend() != "native", reason="the C helper is not built here"
)


def table_of(n: int, *, first: int = 0, flags: int = 0, sources: int = 3) -> pa.Table:
    batch = RecordBatch(
        source=[f"source-{i % sources}" for i in range(n)],
        source_file_id=[7] * n,
        source_offset=[i * 20 for i in range(n)],
        raw=[f"record number {i}".encode() for i in range(n)],
        flags=[flags] * n,
        derived={"parser": ["generic"] * n, "parser_version": ["1"] * n},
    )
    return build_table(batch, first_index=first, ingest_time_ns=1_800_000_000_000_000_000)


def summary_of(written, name="000000000002.parquet") -> SegmentSummary:
    return SegmentSummary(
        name=name,
        sha256=written.sha256,
        size=written.size,
        first_index=written.first_index,
        count=written.count,
        root_hash=written.root_hash.hex(),
        chunk_size=written.chunk_size,
        first_ingest_ns=written.first_ingest_ns,
        last_ingest_ns=written.last_ingest_ns,
    )


class TestWriteSegment:
    def test_file_hash_computed_while_writing_equals_the_file(self, tmp_path):
        """The SHA-256 taken from the bytes as written equals hashing the finished file."""
        path = tmp_path / "000000000002.parquet"
        written = write_segment(table_of(5000), path, log_id="L", seal_index=2)
        with path.open("rb") as fh:
            assert written.sha256 == hashlib.file_digest(fh, "sha256").hexdigest()
        assert written.size == path.stat().st_size

    def test_root_equals_the_records_root(self, tmp_path):
        """The root computed on the hashing thread is the RFC 6962 root of the envelopes."""
        table = table_of(300, first=40)
        written = write_segment(table, tmp_path / "s.parquet", log_id="L", seal_index=2)
        blob = leaves.leaf_hashes(table, backend="python")
        assert written.root_hash == merkle.root_hash(leaves.split_hashes(blob))

    def test_metadata_is_in_the_parquet_footer(self, tmp_path):
        """The logchain.* keys are Parquet footer key-value metadata (not the Arrow schema)."""
        path = tmp_path / "s.parquet"
        written = write_segment(table_of(10, first=3), path, log_id="L", seal_index=9)
        footer = pq.read_metadata(path).metadata
        keys = {k.decode() for k in footer if k.startswith(b"logchain.")}
        assert keys == {
            f"logchain.{k}"
            for k in (
                "format",
                "log_id",
                "seal_index",
                "first_index",
                "count",
                "chunk_size",
                "root_hash",
                "chunk_roots",
            )
        }
        meta = read_meta(path)
        assert (meta.log_id, meta.seal_index, meta.first_index, meta.count) == ("L", 9, 3, 10)
        assert meta.root_hash == written.root_hash.hex()
        assert not any(k.startswith(b"logchain.") for k in pq.read_schema(path).metadata or {})

    def test_unhashable_record_leaves_no_file(self, tmp_path):
        """A record the hasher refuses (unknown flag bits) fails the write and leaves nothing."""
        with pytest.raises(ValueError, match="unknown flag bits"):
            write_segment(
                table_of(10, flags=0x40), tmp_path / "s.parquet", log_id="L", seal_index=1
            )
        assert list(tmp_path.iterdir()) == []

    def test_existing_file_is_never_overwritten(self, tmp_path):
        """Writing onto an existing segment name fails; the hashing thread does not hang."""
        path = tmp_path / "s.parquet"
        write_segment(table_of(10), path, log_id="L", seal_index=1)
        before = path.read_bytes()
        with pytest.raises(StorageError, match="refusing to overwrite an existing evidence file"):
            write_segment(table_of(11), path, log_id="L", seal_index=1)
        assert path.read_bytes() == before
        assert [p.name for p in tmp_path.iterdir()] == ["s.parquet"]

    def test_hasher_abandon_after_partial_feed(self):
        """Abandoning a hasher mid-file returns promptly and reports nothing."""
        hasher = SegmentHasher(table_of(100), 64)
        hasher.feed(b"PAR1")
        hasher.abandon()
        assert len(hasher.tree().root_hash) == 32


class TestNativeDictionarySource:
    @needs_native
    def test_multi_chunk_differing_dictionaries(self):
        """Chunks whose source dictionaries differ hash like the Python path."""
        table = pa.concat_tables([table_of(50, sources=3), table_of(40, first=50, sources=7)])
        assert table.column("source").num_chunks == 2
        assert leaves.leaf_hashes(table, backend="native") == leaves.leaf_hashes(
            table, backend="python"
        )

    @needs_native
    def test_non_int32_keys_and_plain_strings(self):
        """int8 dictionary keys and a plain string column give the same leaves."""
        table = table_of(60)
        i = table.schema.get_field_index("source")
        plain = table.set_column(i, "source", table.column("source").cast(pa.string()))
        small = plain.set_column(
            i,
            "source",
            pa.chunked_array(
                [
                    plain.column("source")
                    .combine_chunks()
                    .dictionary_encode()
                    .cast(pa.dictionary(pa.int8(), pa.string()))
                ]
            ),
        )
        want = leaves.leaf_hashes(table, backend="python")
        assert leaves.leaf_hashes(plain, backend="native") == want
        assert leaves.leaf_hashes(small, backend="native") == want

    @needs_native
    def test_out_of_range_key_is_refused(self):
        """The C helper checks every dictionary key before hashing."""
        native = leaves._NATIVE
        one = memoryview(b"\x01")
        u64 = memoryview(bytes(8))
        offsets = memoryview(bytes(4) + (1).to_bytes(4, "little"))
        with pytest.raises(ValueError, match="row 0: source key or raw span out of range"):
            native.leaf_hashes(
                1,
                one,
                memoryview(b"\x00"),
                u64,
                u64,
                offsets,
                memoryview(b"a"),
                False,
                u64,
                u64,
                memoryview(bytes(8)),
                memoryview(b""),
                False,
                memoryview((5).to_bytes(4, "little")),
                1,
            )


class TestCheckSegment:
    @pytest.mark.parametrize("threads", [True, False], ids=["threads", "single-thread"])
    def test_intact_segment(self, tmp_path, threads):
        """An intact segment checks the same on one thread and on two."""
        path = tmp_path / "000000000002.parquet"
        written = write_segment(table_of(500), path, log_id="L", seal_index=2)
        result = check_segment(2, summary_of(written), path, known_hashes={}, use_threads=threads)
        assert result.records == 500
        assert result.end_offsets == {
            (f"source-{k}", 7): max(
                i * 20 + len(f"record number {i}") + 1 for i in range(500) if i % 3 == k
            )
            for k in range(3)
        }

    @pytest.mark.parametrize("threads", [True, False], ids=["threads", "single-thread"])
    def test_altered_record_is_located(self, tmp_path, threads):
        """A changed record is located to its 64-record chunk on either path."""
        path = tmp_path / "000000000002.parquet"
        written = write_segment(table_of(500), path, log_id="L", seal_index=2)
        table = pq.read_table(path)
        footer = pq.read_metadata(path).metadata
        raw = table.column("raw").to_pylist()
        raw[130] = b"forged"
        table = table.set_column(
            table.schema.get_field_index("raw"), "raw", pa.array(raw, pa.binary())
        )
        meta = {k: v for k, v in footer.items() if k.startswith(b"logchain.")}
        path.chmod(0o644)
        pq.write_table(table.replace_schema_metadata(meta), path)
        with pytest.raises(RootMismatch, match=r"a record in 128\.\.191 was altered"):
            check_segment(2, summary_of(written), path, known_hashes={}, use_threads=threads)


def test_map_file_of_an_empty_file(tmp_path):
    """An empty file maps to b"" (mmap refuses zero-length files)."""
    (tmp_path / "empty").write_bytes(b"")
    assert map_file(tmp_path / "empty") == b""
