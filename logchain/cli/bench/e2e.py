"""The whole path through the project's real entry points: ingest+seal, seal cost, verify.

``ingest`` is what ``logchain ingest [--workers K]`` runs (``ingest.oneshot.ingest_files`` into
a :class:`~logchain.writer.LogWriter` with the store's sealer and local TSA), timed from the open
seal to the close seal; with ``workers > 0`` the pipeline parses in that many processes, whose CPU
and memory are sampled (:class:`~logchain.cli.bench.measure.TreeSampler`) and added.
``verify`` is ``logchain.verify.verify_log`` over that store. ``seal`` is the sealer re-signing
and time-stamping a real segment statement of that store (ECDSA P-256 + the local OpenSSL TSA),
charged once per seal the ingest wrote.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.oneshot import ingest_files
from logchain.cli.bench.measure import Sample, TreeSampler, measured, tree_bytes
from logchain.cli.bench.workload import WorkFile
from logchain.cli.init import init_store
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import SystemClock
from logchain.statement import SealKind, SealStatement
from logchain.store import Store
from logchain.verify import verify_log
from logchain.writer import LogWriter, SegmentLimits

SEAL_REPEATS = 5


@dataclass(frozen=True, slots=True)
class Timed:
    """A sample and when it ran (epoch seconds), to combine concurrent workers."""

    sample: Sample
    start: float
    end: float
    seals: int = 0


def ingest(files: Sequence[WorkFile], store_dir: Path, max_records: int, workers: int = 0) -> Timed:
    """Ingest ``files`` into a new store at ``store_dir`` as ``logchain ingest`` does."""
    store = init_store(store_dir, seal_interval=60)
    limits = SegmentLimits(max_records=max_records, max_age_s=store.manifest().seal_interval_s)
    writer = LogWriter(
        store,
        store_sealer(store),
        store_verifier(store),
        SystemClock(),
        limits=limits,
        command="logchain bench",
    )
    records = sum(f.records for f in files)
    raw = sum(f.bytes for f in files)
    start = time.time()
    with TreeSampler() as tree, measured(records, raw) as out, writer:
        ingest_files(writer, [f.path for f in files], workers=workers)
    end = time.time()
    disk = tree_bytes(store.segments_dir) + tree_bytes(store.seals_dir)
    s = out[0]
    total = replace(
        s, cpu_s=s.cpu_s + tree.cpu_s, peak_rss=s.peak_rss + tree.peak_rss, disk_bytes=disk
    )
    return Timed(total, start, end, writer.seals_written)


def seal(store_dir: Path, seals: int, records: int, raw_bytes: int) -> Timed:
    """Cost of ``seals`` seals, from re-sealing one segment statement of the store."""
    store = Store(store_dir)
    verifier = store_verifier(store)
    sealer = store_sealer(store)
    payload = None
    for i, path in sorted(store.seal_files()[0].items()):
        verified = verifier.verify(path.read_bytes(), seal_index=i)
        if SealStatement.from_payload(verified.payload, seal_index=i).kind is SealKind.SEGMENT:
            payload = verified.payload
            break
    if payload is None:
        raise RuntimeError(f"no segment seal in {store_dir}: the ingest sealed nothing")
    start = time.time()
    with measured(records, raw_bytes) as out:
        for _ in range(SEAL_REPEATS):
            sealer.seal(payload)
    end = time.time()
    one = out[0]
    per = seals / SEAL_REPEATS
    sample = Sample(one.wall_s * per, one.cpu_s * per, one.peak_rss, records, raw_bytes)
    return Timed(sample, start, end, seals)


def verify(store_dir: Path, records: int, raw_bytes: int, *, use_threads: bool = True) -> Timed:
    """``verify_log`` over the store (``use_threads=False`` is ``--single-thread``).

    disk_bytes is the Parquet it read.
    """
    store = Store(store_dir)
    verifier = store_verifier(store)
    start = time.time()
    with measured(records, raw_bytes) as out:
        report = verify_log(store, verifier, SystemClock(), use_threads=use_threads)
    end = time.time()
    return Timed(replace(out[0], disk_bytes=report.bytes), start, end)
