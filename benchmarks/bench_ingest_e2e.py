"""End-to-end ingest: from a line appended to a file to that line in a sealed segment.

Measured on the seeded BSD-syslog ``auth.log`` (``auto`` detects rfc3164), each against reading
the same file into a pyarrow array in the same run (``bench_reference_read_into_arrow``): the
ratio e2e time / reference time is the figure to compare across machines.

* ``bench_oneshot``: `logchain ingest`'s loop over the whole file, parsing inline (workers=0) or
  in 1-2 worker processes; open seal to close seal.
* ``bench_watch_throughput``: `logchain watch`'s loop following a live file that another thread
  appends to as fast as it can; timed from the first append until the checkpoint in the newest
  seal covers the whole file.
* ``bench_watch_latency``: another process appends lines at a steady rate, each carrying its
  append time; the latency of a line is its segment seal's time minus its append time
  (p50/p99/max in ``extra_info``; at 2000 lines/s p99 must stay below 2 x seal_interval).

The multi-GB run with peak RSS is ``python -m benchmarks.ingest_scale`` (not part of CI).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ingest.config import SourceConfig, WatchSettings
from ingest.oneshot import ingest_files
from ingest.pipeline import Pipeline
from ingest.synth import write_log
from ingest.watch import Watcher
from logchain.catalog import verified_catalog
from logchain.cli.init import init_store
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import SystemClock
from logchain.store import Store
from logchain.writer import LogWriter, SegmentLimits

SIZES = [2_000, 100_000]
READ = 4 * 1024 * 1024


@pytest.fixture(scope="module", params=SIZES, ids=lambda n: f"{n}")
def auth_log(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("e2e") / "auth.log"
    write_log(path, "auth.log", seed=42, records=request.param)
    return path


def lines_in(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(READ), b""))


def read_into_arrow(path: Path) -> int:
    """The reference: the file's lines into pyarrow binary arrays (4 MiB reads)."""
    n = 0
    carry = b""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(READ), b""):
            data = carry + block
            cut = data.rfind(b"\n") + 1
            carry = data[cut:]
            parts = pc.split_pattern(pa.array([data[:cut]], pa.binary()), "\n")
            n += len(parts.values) - 1
    return n


def reference_seconds(path: Path) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        read_into_arrow(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fresh_store(base: Path, *, seal_interval: int = 60) -> Store:
    return init_store(base / f"store-{time.monotonic_ns()}", seal_interval=seal_interval)


def writer_for(store: Store, *, max_age: float) -> LogWriter:
    return LogWriter(
        store,
        store_sealer(store),
        store_verifier(store),
        SystemClock(),
        limits=SegmentLimits(max_age_s=max_age),
        command="benchmark",
    )


def note_ratio(benchmark, path: Path, records: int) -> None:
    benchmark.extra_info["records"] = records
    benchmark.extra_info["bytes"] = path.stat().st_size
    if benchmark.stats is not None:  # None under --benchmark-disable
        median = benchmark.stats.stats.median
        benchmark.extra_info["lines_per_s"] = round(records / median)
        benchmark.extra_info["ratio_to_reference"] = round(median / reference_seconds(path), 2)


@pytest.mark.benchmark(group="ingest-e2e")
def bench_reference_read_into_arrow(benchmark, auth_log: Path) -> None:
    """Reference: read the file and split it into a pyarrow binary array of lines."""
    n = benchmark(read_into_arrow, auth_log)
    assert n == lines_in(auth_log)
    benchmark.extra_info["records"] = n


@pytest.mark.benchmark(group="ingest-e2e")
@pytest.mark.parametrize("workers", [0, 1, 2])
def bench_oneshot(benchmark, auth_log: Path, tmp_path: Path, workers: int) -> None:
    """`logchain ingest` path: read, split, parse (inline or in workers), hash, write, seal."""
    expected = lines_in(auth_log)

    def setup():
        return (fresh_store(tmp_path),), {}

    def run(store: Store) -> int:
        with writer_for(store, max_age=3600.0) as writer:
            files = ingest_files(writer, [auth_log], workers=workers)
        return sum(f.records for f in files)

    assert benchmark.pedantic(run, setup=setup, rounds=3) == expected
    benchmark.extra_info["workers"] = workers
    note_ratio(benchmark, auth_log, expected)


@contextmanager
def following(store: Store, live: Path, *, max_age: float) -> Iterator[LogWriter]:
    """`logchain watch`'s loop on ``live`` in a thread, for the duration of the block."""
    with writer_for(store, max_age=max_age) as writer, Pipeline(writer) as pipeline:
        watcher = Watcher(
            [SourceConfig(path=str(live))], pipeline, WatchSettings(poll_interval=0.5)
        )
        thread = threading.Thread(target=watcher.run, kwargs={"follow": True})
        thread.start()
        try:
            yield writer
        finally:
            watcher.stop()
            thread.join()


def sealed_offset(writer: LogWriter, live: Path) -> int:
    return max((c.offset for c in writer.checkpoint() if c.path == str(live)), default=0)


@pytest.mark.benchmark(group="ingest-e2e")
def bench_watch_throughput(benchmark, auth_log: Path, tmp_path: Path) -> None:
    """`logchain watch` path: from the first append to the whole file sealed."""
    data = auth_log.read_bytes()

    def setup():
        live = tmp_path / f"live-{time.monotonic_ns()}.log"
        live.write_bytes(b"")
        return (fresh_store(tmp_path), live), {}

    def run(store: Store, live: Path) -> int:
        with following(store, live, max_age=0.2) as writer, live.open("ab") as fh:
            for i in range(0, len(data), 1024 * 1024):
                fh.write(data[i : i + 1024 * 1024])
                fh.flush()
            while sealed_offset(writer, live) < len(data):
                time.sleep(0.005)
        return lines_in(live)

    assert benchmark.pedantic(run, setup=setup, rounds=3) == lines_in(auth_log)
    note_ratio(benchmark, auth_log, lines_in(auth_log))


#: Appends ``rate`` lines/s to a file for ``seconds``, each line starting with its append time.
APPENDER = """
import sys, time
path, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
with open(path, "ab") as fh:
    start, sent = time.monotonic(), 0
    while (elapsed := time.monotonic() - start) < seconds:
        due = int(elapsed * rate)
        fh.write(b"".join(b"t=%d line\\n" % time.time_ns() for _ in range(due - sent)))
        fh.flush()
        sent = due
        time.sleep(0.01)
"""


@pytest.mark.benchmark(group="ingest-latency")
@pytest.mark.parametrize("rate", [2_000, 10_000])
def bench_watch_latency(benchmark, tmp_path: Path, rate: int) -> None:
    """Append-to-seal latency while another process appends at a steady rate (lines/s)."""
    interval, seconds = 2, 6.0

    def run() -> list[float]:
        store = fresh_store(tmp_path, seal_interval=interval)
        live = tmp_path / f"steady-{time.monotonic_ns()}.log"
        live.write_bytes(b"")
        with following(store, live, max_age=float(interval)):
            args = [sys.executable, "-c", APPENDER, str(live), str(rate), str(seconds)]
            subprocess.run(args, check=True)
        return latencies(store, live)

    lat = benchmark.pedantic(run, rounds=1)
    p99 = statistics.quantiles(lat, n=100)[98]
    benchmark.extra_info.update(
        records=len(lat),
        rate_lines_per_s=rate,
        seal_interval_s=interval,
        p50_s=round(statistics.median(lat), 3),
        p99_s=round(p99, 3),
        max_s=round(max(lat), 3),
    )
    assert len(lat) >= rate * seconds * 0.9
    if rate <= 2_000:  # well below throughput on any machine: the cadence alone bounds it
        assert p99 < 2 * interval


def latencies(store: Store, live: Path) -> list[float]:
    """Per line: the time its segment's seal was made (the statement's ``sealed_at``; the local
    TSA's genTime has whole seconds only) minus the time the line was appended."""
    import pyarrow.parquet as pq

    catalog = verified_catalog(store, store_verifier(store))
    sealed_at = {row.segment: row.sealed_at.timestamp() for row in catalog.seals if row.segment}
    out: list[float] = []
    for seg in catalog.segments:
        table = pq.read_table(seg, columns=["source", "raw"])
        mask = pc.equal(table.column("source").cast(pa.string()), pa.scalar(str(live)))
        for raw in table.filter(mask).column("raw").to_pylist():
            assert isinstance(raw, bytes)
            appended = int(raw.split(b" ", 1)[0][2:]) / 1e9
            out.append(sealed_at[seg.name] - appended)
    return out
