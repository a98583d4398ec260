"""Work units that run inside the worker processes (top-level functions, so they pickle).

``Pools`` keeps one pool of ``k`` spawned processes per worker count for the whole run, warmed up
before the first timed task (imports are not timed), and runs a round of ``k`` tasks at once.
Results from ``k`` concurrent workers are combined by :func:`combine`: records, bytes and CPU
add up, wall time is from the first start to the last end, peak RSS adds up (the processes ran
side by side).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa

from logchain.cli._common import configure_logging
from logchain.cli.bench import detect, e2e, peers, references, stages
from logchain.cli.bench.measure import Sample
from logchain.cli.bench.workload import WorkFile
from logchain.writer import SegmentLimits

T = TypeVar("T")


def _tidy() -> None:
    gc.collect()
    pa.default_memory_pool().release_unused()


def warm(delay: float, log_level: str) -> int:
    """Set up logging, hold the process a moment (so each of ``k`` workers gets one warm-up)."""
    configure_logging(log_level)
    time.sleep(delay)
    return 0


def refs(files: Sequence[WorkFile]) -> tuple[Sample, Sample]:
    out = references.read_ceiling(files), references.hash_ceiling(files)
    _tidy()
    return out


@dataclass(frozen=True, slots=True)
class TimedPass:
    result: stages.PassResult
    start: float
    end: float


def stage_pass(files: Sequence[WorkFile], scratch: Path, max_records: int) -> TimedPass:
    start = time.time()
    res = stages.stage_pass(files, scratch, SegmentLimits(max_records=max_records))
    end = time.time()
    _tidy()
    return TimedPass(res, start, end)


def ingest_and_seal(
    files: Sequence[WorkFile], store_dir: Path, max_records: int, workers: int
) -> tuple[e2e.Timed, e2e.Timed]:
    ing = e2e.ingest(files, store_dir, max_records, workers)
    _tidy()
    sl = e2e.seal(store_dir, ing.seals, ing.sample.records, ing.sample.raw_bytes)
    return ing, sl


def verify(store_dir: Path, records: int, raw_bytes: int, use_threads: bool) -> e2e.Timed:
    out = e2e.verify(store_dir, records, raw_bytes, use_threads=use_threads)
    _tidy()
    return out


def queries(store_dir: Path, records: int, raw_bytes: int) -> detect.QueryResult:
    out = detect.run_queries(store_dir, records, raw_bytes)
    _tidy()
    return out


def peer(name: str, files: Sequence[WorkFile], scratch: Path) -> peers.PeerRun | str:
    """Run one peer; a string is the reason it could not run."""
    run = peers.run_rsyslog if name == "rsyslog" else peers.run_journal
    try:
        return run(files, scratch)
    except peers.PeerUnavailable as exc:
        return str(exc)


class Pools:
    """One warmed pool of spawned processes per worker count."""

    def __init__(self, log_level: str = "warning") -> None:
        self._pools: dict[int, ProcessPoolExecutor] = {}
        self._log_level = log_level

    def pool(self, k: int) -> ProcessPoolExecutor:
        if k not in self._pools:
            ex = ProcessPoolExecutor(k, mp_context=get_context("spawn"))
            for f in [ex.submit(warm, 0.5, self._log_level) for _ in range(k)]:
                f.result()
            self._pools[k] = ex
        return self._pools[k]

    def round(self, k: int, fn: Callable[..., T], args: Sequence[tuple[Any, ...]]) -> list[T]:
        """Run ``fn(*a)`` for each ``a`` concurrently on the ``k``-process pool."""
        ex = self.pool(k)
        futures: list[Future[T]] = [ex.submit(fn, *a) for a in args]
        return [f.result() for f in futures]

    def close(self) -> None:
        for ex in self._pools.values():
            ex.shutdown(cancel_futures=True)
        self._pools.clear()


def combine(samples: Sequence[Sample], wall_s: float | None = None) -> Sample:
    """One sample for concurrent workers (see the module docstring)."""
    return Sample(
        wall_s if wall_s is not None else max(s.wall_s for s in samples),
        sum(s.cpu_s for s in samples),
        sum(s.peak_rss for s in samples),
        sum(s.records for s in samples),
        sum(s.raw_bytes for s in samples),
        sum(s.disk_bytes for s in samples),
    )


def combine_timed(parts: Sequence[e2e.Timed]) -> Sample:
    """Concurrent timed workers: wall from the first start to the last end."""
    if len(parts) == 1:
        return parts[0].sample
    wall = max(p.end for p in parts) - min(p.start for p in parts)
    return combine([p.sample for p in parts], wall)
