"""Reference ceilings measured on the same input: reading the raw files, hashing their bytes.

``read_ceiling`` reads every file in 16 MiB chunks into one reused buffer (what the disk and page
cache give). ``hash_ceiling`` is ``hashlib.sha256`` over the same bytes as one buffer per file:
each file is read into memory first (untimed) and hashed in one call; files larger than
:data:`ONE_BUFFER_MAX` are hashed in 64 MiB ``update`` calls instead (same speed, bounded memory).
The storage ceiling (:func:`write_storage_ceiling`) is measured in the stage pass on the very
tables it seals, and the query ceiling with the detect stage (same Parquet).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from logchain import segment
from logchain.cli.bench.measure import Sample, cpu_seconds, peak_rss, reset_peak_rss
from logchain.cli.bench.workload import WorkFile
from logchain.schema import DICTIONARY_COLUMNS

CHUNK = 16 * 1024 * 1024
ONE_BUFFER_MAX = 2 * 1024 * 1024 * 1024
HASH_CHUNK = 64 * 1024 * 1024


def read_ceiling(files: Sequence[WorkFile]) -> Sample:
    """Read every file start to end (readinto one buffer); no parsing."""
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    total = 0
    reset_peak_rss()
    c0, t0 = cpu_seconds(), time.perf_counter()
    for f in files:
        with f.path.open("rb", buffering=0) as fh:
            while n := fh.readinto(view):
                total += n
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    return Sample(wall, cpu, peak_rss(), sum(f.records for f in files), total)


def hash_ceiling(files: Sequence[WorkFile]) -> Sample:
    """SHA-256 of the same bytes, timing only the hashing."""
    wall = cpu = 0.0
    total = 0
    reset_peak_rss()
    for f in files:
        h = hashlib.sha256()
        with f.path.open("rb") as fh:
            chunks = (
                [fh.read()] if f.bytes <= ONE_BUFFER_MAX else iter(lambda: fh.read(HASH_CHUNK), b"")
            )
            for data in chunks:
                c0, t0 = cpu_seconds(), time.perf_counter()
                h.update(data)
                wall += time.perf_counter() - t0
                cpu += cpu_seconds() - c0
                total += len(data)
        h.digest()
    return Sample(wall, cpu, peak_rss(), sum(f.records for f in files), total)


def write_storage_ceiling(table: pa.Table, path: Path) -> int:
    """``pq.write_table`` of ``table`` with the segment's Parquet options, nothing else.

    Same compression, level, row groups, dictionary columns and statistics as
    ``logchain.segment.write_segment``, but no leaf hashes, Merkle tree, file hash, footer
    metadata, write-once publish or seal. Returns the file's size.
    """
    pq.write_table(
        table,
        path,
        compression=segment.COMPRESSION,
        compression_level=segment.COMPRESSION_LEVEL,
        row_group_size=segment.ROW_GROUP_SIZE,
        use_dictionary=list(DICTIONARY_COLUMNS),  # type: ignore[arg-type]
        write_statistics=["index", "ingest_time", "event_time"],
    )
    return path.stat().st_size
