"""The per-stage pass: the ingest path taken apart, each step timed on its own, streaming.

Each stage is one call into the project's own code, so improvements there show up here:

=============  ==========================================================================
read           ``ingest.lines.read_lines`` (file -> exact lines, offsets, flags)
parse          ``ingest.parsers``: ``detect_format`` on the file's first lines, then
               ``Parser.parse`` per batch
envelope       ``logchain.segment.build_table`` (envelope + derived columns -> Arrow)
hash_merkle    ``logchain.leaves``: leaf hashes, chunk roots, root (what ``write_segment`` does
               first)
segment_write  ``logchain.segment.write_segment`` (hash + Merkle again, Parquet, file SHA-256,
               write-once publish): the real call, so it *includes* ``hash_merkle``
=============  ==========================================================================

Segments are cut as the writer cuts them (:class:`logchain.writer.SegmentLimits`). The storage
ceiling (``pyarrow.parquet.write_table`` of the same table with the segment's compression, no
hashing) is measured on every segment table right after ``segment_write``. Written files are
measured and deleted, so a 100M-record pass needs the disk for one segment only.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.lines import Lines, read_lines
from ingest.parsers import Parser, detect_format, get_parser
from logchain import leaves, segment
from logchain.cli.bench.measure import Meter, Sample
from logchain.cli.bench.workload import WorkFile
from logchain.clock import SystemClock
from logchain.segment import RecordBatch, build_table, write_segment
from logchain.writer import SegmentLimits

#: Stages of the pass, in pipeline order (``segment_write`` includes ``hash_merkle``'s work).
STAGES = ("read", "parse", "envelope", "hash_merkle", "segment_write")
STORAGE_CEILING = "storage_ceiling"
SAMPLE_LINES = 64


@dataclass(frozen=True, slots=True)
class PassResult:
    """Per-stage samples of one worker's pass, and the formats the parsers detected."""

    samples: dict[str, Sample]
    formats: dict[str, str]
    segments: int


def choose_parser(path: Path) -> Parser:
    """The parser ingest would use for ``path``: ``detect_format`` on its first lines."""
    with path.open("rb") as fh:
        sample = list(itertools.islice(fh, SAMPLE_LINES))
    return get_parser(detect_format([line.rstrip(b"\n") for line in sample]))


def _batches(meter: Meter, path: Path) -> Iterator[Lines]:
    with path.open("rb") as fh:
        it = read_lines(fh, 0, final=True)
        while True:
            with meter.stage("read") as acc:
                lines = next(it, None)
            if lines is None:
                return
            acc.records += len(lines)
            acc.raw_bytes += lines.offsets[-1] + len(lines.raw[-1]) + 1 - lines.offsets[0]
            yield lines


class _Pending:
    """Envelope tables waiting to become a segment (as the writer holds them)."""

    def __init__(self, scratch: Path, limits: SegmentLimits) -> None:
        self.scratch = scratch
        self.limits = limits
        self.tables: list[pa.Table] = []
        self.records = 0
        self.raw_bytes = 0
        self.next_index = 0
        self.segments = 0

    def add(self, table: pa.Table, raw_bytes: int) -> bool:
        self.tables.append(table)
        self.records += table.num_rows
        self.raw_bytes += raw_bytes
        return self.records >= self.limits.max_records or self.raw_bytes >= self.limits.max_bytes


def _flush(meter: Meter, pending: _Pending) -> None:
    if not pending.tables:
        return
    n, raw = pending.records, pending.raw_bytes
    with meter.stage("segment_write") as acc:
        table = pa.concat_tables(pending.tables)
        path = pending.scratch / f"segment-{pending.segments:06d}.parquet"
        written = write_segment(table, path, log_id="bench", seal_index=pending.segments + 1)
    acc.records, acc.raw_bytes, acc.disk_bytes = (
        acc.records + n,
        acc.raw_bytes + raw,
        acc.disk_bytes + written.size,
    )
    path.chmod(0o644)
    path.unlink()
    with meter.stage("hash_merkle") as acc:
        blob = leaves.leaf_hashes(table)
        root = leaves.root_from_chunk_roots(leaves.chunk_roots(blob, segment.CHUNK_SIZE))
    if root != written.root_hash:
        raise RuntimeError("hash_merkle and write_segment disagree on the root: a harness bug")
    acc.records, acc.raw_bytes = acc.records + n, acc.raw_bytes + raw
    _storage_ceiling(meter, pending.scratch / "ceiling.parquet", table, n, raw)
    pending.next_index += n
    pending.segments += 1
    pending.tables, pending.records, pending.raw_bytes = [], 0, 0


def _storage_ceiling(meter: Meter, path: Path, table: pa.Table, n: int, raw: int) -> None:
    with meter.stage(STORAGE_CEILING) as acc:
        pq.write_table(
            table,
            path,
            compression=segment.COMPRESSION,
            compression_level=segment.COMPRESSION_LEVEL,
            row_group_size=segment.ROW_GROUP_SIZE,
        )
    acc.records, acc.raw_bytes = acc.records + n, acc.raw_bytes + raw
    acc.disk_bytes += path.stat().st_size
    path.unlink()


def stage_pass(files: Sequence[WorkFile], scratch: Path, limits: SegmentLimits) -> PassResult:
    """Run every stage over ``files`` (in this process); returns per-stage samples."""
    scratch.mkdir(parents=True, exist_ok=True)
    meter = Meter()
    clock = SystemClock()
    pending = _Pending(scratch, limits)
    formats: dict[str, str] = {}
    for wf in files:
        parser = choose_parser(wf.path)
        formats[wf.path.name] = f"{parser.name}/{parser.version}"
        source = str(wf.path)
        for lines in _batches(meter, wf.path):
            n = len(lines)
            raw = lines.offsets[-1] + len(lines.raw[-1]) + 1 - lines.offsets[0]
            with meter.stage("parse") as acc:
                derived = parser.parse(lines.raw)
            acc.records, acc.raw_bytes = acc.records + n, acc.raw_bytes + raw
            batch = RecordBatch(
                [source] * n, [0] * n, lines.offsets, lines.raw, lines.flags, derived
            )
            first = pending.next_index + pending.records
            with meter.stage("envelope") as acc:
                table = build_table(batch, first_index=first, ingest_time_ns=clock.now_ns())
            acc.records, acc.raw_bytes = acc.records + n, acc.raw_bytes + raw
            if pending.add(table, raw):
                _flush(meter, pending)
    _flush(meter, pending)
    samples = {name: acc.sample() for name, acc in meter.stages.items()}
    return PassResult(samples, formats, pending.segments)
