"""The per-stage pass: the ingest path taken apart, each step timed on its own, streaming.

Each stage is one call into the project's own code, so improvements there show up here:

=============  ==========================================================================
read           ``ingest.tail.FileTail`` reads 4 MiB blocks, its ``LineSplitter`` cuts chunks,
               ``ingest.split.split_chunk`` makes exact lines (raw, offsets, flags)
parse          the parser ingest picks (``detect_format`` on the file's first lines, as
               ``format = "auto"`` does), ``Parser.parse`` and ``ingest.prepare.to_arrays``:
               ``prepare_records`` minus its split
envelope       ``logchain.segment.build_table`` (envelope + derived columns -> Arrow), fed the
               record batch the ingest pipeline builds
hash_merkle    ``logchain.leaves``: leaf hashes, chunk roots, root (what ``write_segment`` does
               first)
segment_write  ``logchain.segment.write_segment`` (hash + Merkle again, Parquet, file SHA-256,
               write-once publish): the real call, so it *includes* ``hash_merkle``
=============  ==========================================================================

Segments are cut as the writer cuts them (:class:`logchain.writer.SegmentLimits`). The storage
ceiling (``pyarrow.parquet.write_table`` of the same table with the segment's compression, no
hashing, same Parquet options: :func:`~logchain.cli.bench.references.write_storage_ceiling`) is
measured on every segment table right after ``segment_write``. Written files are
measured and deleted, so a 100M-record pass needs the disk for one segment only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from ingest.config import DEFAULT_MAX_LINE_BYTES
from ingest.parsers import Parser, detect_format, get_parser
from ingest.prepare import to_arrays
from ingest.split import Lines, split_chunk
from ingest.tail import FileTail
from logchain import leaves, segment
from logchain.cli.bench.measure import Meter, Sample
from logchain.cli.bench.references import write_storage_ceiling
from logchain.cli.bench.workload import WorkFile
from logchain.clock import SystemClock
from logchain.segment import RecordBatch, build_table, write_segment
from logchain.writer import SegmentLimits

#: Stages of the pass, in pipeline order (``segment_write`` includes ``hash_merkle``'s work).
STAGES = ("read", "parse", "envelope", "hash_merkle", "segment_write")
STORAGE_CEILING = "storage_ceiling"


@dataclass(frozen=True, slots=True)
class PassResult:
    """Per-stage samples of one worker's pass, and the parsers ingest chose per file."""

    samples: dict[str, Sample]
    formats: dict[str, str]
    segments: int


def choose_parser(tail: FileTail) -> Parser:
    """The parser ``format = "auto"`` picks for the file: ``detect_format`` on its first lines."""
    return get_parser(detect_format(tail.detect_sample()))


def _lines(meter: Meter, tail: FileTail) -> Iterator[tuple[Lines, int]]:
    """Exact lines of the whole file and the bytes they came from, the read stage timed."""
    blocks = tail.read(None)
    done = False
    while not done:
        with meter.stage("read") as acc:
            data = next(blocks, None)
            if data is None:
                last = tail.finish()
                chunks = [last] if last is not None else []
                done = True
            else:
                chunks = tail.feed(data)
            out = [(split_chunk(c, DEFAULT_MAX_LINE_BYTES), len(c.data)) for c in chunks]
        for lines, size in out:
            acc.records += len(lines)
            acc.raw_bytes += size
        yield from out


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
        size = write_storage_ceiling(table, path)
    acc.records, acc.raw_bytes = acc.records + n, acc.raw_bytes + raw
    acc.disk_bytes += size
    path.unlink()


def _parse(meter: Meter, parser: Parser, lines: Lines, size: int) -> dict[str, pa.Array[Any]]:
    n = len(lines)
    with meter.stage("parse", also=f"parse:{parser.name}") as acc:
        raw: list[Any] = lines.raw.to_pylist()
        derived = to_arrays(parser.parse(raw), n, parser)
    for a in (acc, meter.stages[f"parse:{parser.name}"]):
        a.records, a.raw_bytes = a.records + n, a.raw_bytes + size
    return derived


def stage_pass(files: Sequence[WorkFile], scratch: Path, limits: SegmentLimits) -> PassResult:
    """Run every stage over ``files`` (in this process); returns per-stage samples."""
    scratch.mkdir(parents=True, exist_ok=True)
    meter = Meter()
    clock = SystemClock()
    pending = _Pending(scratch, limits)
    formats: dict[str, str] = {}
    for wf in files:
        source = str(wf.path)
        tail = FileTail.open(source, wf.path, 0, DEFAULT_MAX_LINE_BYTES)
        try:
            parser = choose_parser(tail)
            formats[wf.path.name] = f"{parser.name}/{parser.version}"
            inode = tail.reader.identity.inode
            for lines, size in _lines(meter, tail):
                n = len(lines)
                if n == 0:
                    continue
                derived = _parse(meter, parser, lines, size)
                first = pending.next_index + pending.records
                with meter.stage("envelope") as acc:
                    batch = RecordBatch(
                        source=pa.repeat(pa.scalar(source, pa.string()), n),
                        source_file_id=pa.repeat(pa.scalar(inode, pa.uint64()), n),
                        source_offset=lines.offsets,
                        raw=lines.raw,
                        flags=lines.flags,
                        derived=derived,
                    )
                    table = build_table(batch, first_index=first, ingest_time_ns=clock.now_ns())
                acc.records, acc.raw_bytes = acc.records + n, acc.raw_bytes + size
                if pending.add(table, size):
                    _flush(meter, pending)
        finally:
            tail.close()
    _flush(meter, pending)
    samples = {name: acc.sample() for name, acc in meter.stages.items()}
    return PassResult(samples, formats, pending.segments)
