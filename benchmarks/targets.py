"""Measure the issue's performance targets on N records (medians of interleaved runs).

    .venv/bin/python -m benchmarks.targets --records 1000000 --runs 5

* sealing overhead: the writer's flush (envelope hashes + Merkle + Parquet + file SHA-256 +
  sign + timestamp + write-once publish) against ``pyarrow.parquet.write_table`` of the same
  table with the same options, run alternately; the ratio is (flush - plain) / plain;
* verify: ``verify_log(..., use_threads=False)`` (``logchain verify --single-thread``) on the
  resulting store, against ``hashlib.file_digest`` of its segment files, alternately;
* seal latency: heartbeat seals through ``LogWriter.tick`` with the local OpenSSL TSA.

Wall-clock medians plus process CPU time; the machine is shared, so read medians, not minima.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pyarrow.parquet as pq
import structlog

from benchmarks.bench_segment_write import plain_write
from benchmarks.conftest import make_batch
from logchain.cli.init import init_store
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import FixedClock, SystemClock
from logchain.store import Store
from logchain.verify import verify_log
from logchain.writer import LogWriter, SegmentLimits

LIMITS = SegmentLimits(max_records=10**9, max_bytes=2**40, max_age_s=10**6)


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) of one call."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def thread_cpu(fn: Callable[[], object]) -> tuple[float, float, float]:
    """(wall, process CPU, this thread's CPU) seconds of one call: the calling thread's CPU is the
    critical path when other threads (the segment hasher) have a core of their own."""
    t = time.thread_time()
    wall, cpu = timed(fn)
    return wall, cpu, time.thread_time() - t


def measure_write(base: Path, template: Path, n: int, runs: int) -> tuple[dict[str, float], Store]:
    batch = make_batch(n)
    flush, plain, durable, cpu_flush, cpu_plain, main_flush = [], [], [], [], [], []
    store = Store(template)
    for r in range(runs):
        store = Store(base / f"w{r}")
        shutil.copytree(template, store.root)
        writer = LogWriter(
            store,
            store_sealer(store),
            store_verifier(store),
            SystemClock(),
            limits=LIMITS,
            command="targets",
        )
        writer.__enter__()
        writer.append(batch)
        wall, cpu, main = thread_cpu(writer.flush)
        flush.append(wall)
        cpu_flush.append(cpu)
        main_flush.append(main)
        writer.__exit__(None, None, None)
        table = pq.read_table(store.segment_path(2)).replace_schema_metadata(None)
        wall, cpu = timed(partial(plain_write, table, base / "plain.parquet", fsync=False))
        plain.append(wall)
        cpu_plain.append(cpu)
        durable.append(timed(partial(plain_write, table, base / "plain.parquet", fsync=True))[0])
        if r < runs - 1:
            shutil.rmtree(store.root)
    m = statistics.median
    return {
        "flush_s": m(flush),
        "plain_write_s": m(plain),
        "plain_write_fsync_s": m(durable),
        "overhead_vs_plain": (m(flush) - m(plain)) / m(plain),
        "overhead_vs_plain_fsync": (m(flush) - m(durable)) / m(durable),
        "flush_cpu_s": m(cpu_flush),
        "plain_cpu_s": m(cpu_plain),
        "cpu_overhead_vs_plain": (m(cpu_flush) - m(cpu_plain)) / m(cpu_plain),
        "flush_caller_thread_cpu_s": m(main_flush),
        "critical_path_overhead_vs_plain": (m(main_flush) - m(cpu_plain)) / m(cpu_plain),
    }, store


def measure_verify(store: Store, runs: int) -> dict[str, float]:
    verifier = store_verifier(store)
    files = sorted(store.segments_dir.glob("*.parquet"))
    ver, cpu, ref = [], [], []
    records = 0

    def digest() -> None:
        for p in files:
            with p.open("rb") as fh:
                hashlib.file_digest(fh, "sha256")

    for _ in range(runs):
        report = None

        def run() -> None:
            nonlocal report
            report = verify_log(store, verifier, SystemClock(), use_threads=False)

        wall, c = timed(run)
        ver.append(wall)
        cpu.append(c)
        ref.append(timed(digest)[0])
        records = report.records if report else 0
    m = statistics.median
    return {
        "verify_single_thread_s": m(ver),
        "verify_records_per_s": records / m(ver),
        "verify_records_per_cpu_s": records / m(cpu),
        "file_digest_s": m(ref),
        "verify_vs_file_digest": m(ver) / m(ref),
        "records": records,
    }


def measure_seal_latency(base: Path, template: Path, rounds: int) -> dict[str, float]:
    store = Store(base / "latency")
    shutil.copytree(template, store.root)
    clock = FixedClock(time.time_ns())
    interval = store.manifest().seal_interval_s
    times = []
    with LogWriter(store, store_sealer(store), store_verifier(store), clock, limits=LIMITS) as w:
        w.flush()
        for _ in range(rounds):
            clock.advance(interval + 1)
            times.append(timed(w.tick)[0])
    return {
        "seal_latency_median_s": statistics.median(times),
        "seal_latency_p90_s": sorted(times)[int(0.9 * (len(times) - 1))],
    }


def main() -> None:
    # An entry point like the CLI: keep the writer's info logs out of the JSON on stdout.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seals", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="logchain-targets-") as tmp:
        base = Path(tmp)
        template = base / "template"
        init_store(template, seal_interval=3600)
        write, store = measure_write(base, template, args.records, args.runs)
        out = {"records_written": args.records, **write, **measure_verify(store, args.runs)}
        out.update(measure_seal_latency(base, template, args.seals))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
