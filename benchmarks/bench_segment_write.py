"""Segment write + seal (the writer's flush) vs ``pyarrow.parquet.write_table`` of the same table.

The timed call is :meth:`LogWriter.flush` on records appended in the setup: envelope hashing,
Merkle tree, Parquet encoding, file SHA-256, fsync + write-once publish, the seal statement,
signing and the local TSA's timestamp. The reference writes the identical Arrow table with the
same Parquet options and no sealing (``ratio_to_reference``); ``reference_fsync_median_s`` adds
an fsync to that plain write, for a like-for-like durable comparison.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from benchmarks.conftest import SIZES, make_batch, record_reference
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import SystemClock
from logchain.schema import DICTIONARY_COLUMNS
from logchain.segment import COMPRESSION, COMPRESSION_LEVEL, ROW_GROUP_SIZE
from logchain.writer import LogWriter, SegmentLimits

PARQUET_OPTIONS = {
    "compression": COMPRESSION,
    "compression_level": COMPRESSION_LEVEL,
    "row_group_size": ROW_GROUP_SIZE,
    "use_dictionary": list(DICTIONARY_COLUMNS),
    "write_statistics": ["index", "ingest_time", "event_time"],
}


def plain_write(table, path: Path, *, fsync: bool = False) -> None:
    """The reference: the same table, the same Parquet options, no hashing or sealing."""
    pq.write_table(table, path, **PARQUET_OPTIONS)
    if fsync:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    path.unlink()


@pytest.mark.benchmark(group="segment-write")
@pytest.mark.parametrize("n", SIZES)
def bench_segment_write_and_seal(benchmark, n, fresh_store, tmp_path):
    """Flush n pending records into a sealed segment; reference: plain write_table."""
    batch = make_batch(n)
    writers: list[LogWriter] = []

    def setup():
        store = fresh_store()
        writer = LogWriter(
            store,
            store_sealer(store),
            store_verifier(store),
            SystemClock(),
            limits=SegmentLimits(max_records=10**9, max_bytes=2**40, max_age_s=3600),
            command="bench",
        )
        writer.__enter__()
        writer.append(batch)
        writers.append(writer)
        return (writer,), {}

    benchmark.pedantic(lambda w: w.flush(), setup=setup, rounds=3)
    writer = writers[-1]
    assert writer.records_sealed == n + 1  # the batch plus the writer_opened system record
    table = writer.store.segment_path(writer.tail.next_seal_index - 1)
    written = pq.read_table(table)
    for w in writers:
        w.__exit__(None, None, None)
    plain = written.replace_schema_metadata(None)
    record_reference(benchmark, lambda: plain_write(plain, tmp_path / "plain.parquet"), rounds=3)
    durable = []
    for _ in range(3):
        start = time.perf_counter()
        plain_write(plain, tmp_path / "plain.parquet", fsync=True)
        durable.append(time.perf_counter() - start)
    benchmark.extra_info["reference_fsync_median_s"] = statistics.median(durable)
    benchmark.extra_info["records"] = n


@pytest.mark.benchmark(group="segment-write")
@pytest.mark.parametrize("n", SIZES)
def bench_reference_plain_write_table(benchmark, n, tmp_path):
    """Reference: pyarrow.parquet.write_table of the same records with no sealing."""
    from benchmarks.conftest import records_table

    table = records_table(n)
    benchmark.pedantic(lambda: plain_write(table, tmp_path / "plain.parquet"), rounds=3)
    benchmark.extra_info["records"] = n
