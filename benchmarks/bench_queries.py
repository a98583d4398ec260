"""Query and detect benchmarks: logchain vs plain DuckDB on the same Parquet files, same run.

logchain's path = verify every seal (warm seal cache), hash every segment file read, open the
locked connection with the views, run the SQL (detect: all rules, findings file, signed receipt).
Plain DuckDB = ``duckdb.connect()``, ``read_parquet`` of the same files, the same view SQL, the
same statements. The ratio is logchain / plain. Self-audit (a short sealing session per command,
a fixed cost) is measured separately.

Under pytest (CI runs ``--benchmark-disable``) the sizes are small. For the closing figures run::

    python -m benchmarks.bench_queries --records 10000000 --days 30

which prints medians of several runs and the files opened by a 1-hour query over a 30-day store.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from logchain.cli.audit import record_access
from logchain.cli.init import init_store
from logchain.cli.query_session import open_session
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import FixedClock
from logchain.segment import RecordBatch
from logchain.store import Store
from logchain.writer import LogWriter, SegmentLimits
from queries.connection import connect, run_query
from queries.rules import load_rules
from queries.runner import run_rules
from queries.views import View, macros_sql, view_sql
from queries.window import TimeWindow

START = datetime(2026, 1, 1, tzinfo=UTC)
USERS = np.array([f"u{i:03d}" for i in range(200)] + ["root", "admin"], dtype=object)
APPS = np.array(["sshd", "sudo", "nginx", "zeek", "kernel", "cron"], dtype=object)

ANALYST_QUERIES = {
    "failed_logins_by_source": (
        "SELECT src_ip, count(*) AS n FROM auth WHERE outcome = 'failure' "
        "GROUP BY src_ip ORDER BY n DESC LIMIT 20"
    ),
    "bytes_out_by_user_hour": (
        "SELECT \"user\", date_trunc('hour', ts) AS h, sum(bytes_out) AS b FROM network "
        "GROUP BY ALL ORDER BY b DESC LIMIT 20"
    ),
    "one_user_timeline": (
        'SELECT "index", ts, app, action, outcome FROM events WHERE "user" = \'u042\' '
        "ORDER BY ts LIMIT 1000"
    ),
    "events_per_app": "SELECT app, count(*) AS n FROM events GROUP BY app ORDER BY n DESC",
}


# ---------------------------------------------------------------- seeded data


def _batch(rng: np.random.Generator, n: int, t0: datetime, span_s: float, seq: int) -> RecordBatch:
    secs = np.sort(rng.uniform(0, span_s, n))
    times = pa.array(
        np.datetime64(t0.replace(tzinfo=None)) + (secs * 1e6).astype("timedelta64[us]")
    )
    users = USERS[rng.integers(0, len(USERS), n)]
    apps = APPS[rng.integers(0, len(APPS), n)]
    fails = rng.random(n) < 0.05
    src = np.char.add("10.0.", rng.integers(0, 255, n).astype(str))
    src = np.char.add(np.char.add(src, "."), rng.integers(1, 255, n).astype(str)).astype(object)
    dst = np.char.add("203.0.113.", rng.integers(1, 255, n).astype(str)).astype(object)
    outcome = np.where(fails, "failure", "success").astype(object)
    action = np.where(apps == "sshd", "login", np.where(apps == "zeek", "conn", "exec")).astype(
        object
    )
    bytes_out = np.where(apps == "zeek", rng.lognormal(8, 2, n).astype(np.int64), 0)
    raw = pc.binary_join_element_wise(
        pa.array(users, pa.string()),
        pa.array(apps, pa.string()),
        pa.array(src, pa.string()),
        pa.array(outcome, pa.string()),
        " ",
    ).cast(pa.binary())
    offsets = np.arange(n, dtype=np.int64) * 64 + seq * n * 64
    return RecordBatch(
        source=["bench.log"] * n,
        source_file_id=[1] * n,
        source_offset=offsets.tolist(),
        raw=raw,  # type: ignore[arg-type]
        flags=[0] * n,
        derived={
            "event_time": times.cast(pa.timestamp("us", tz="UTC")),
            "host": pa.array(
                np.char.add("h", rng.integers(0, 50, n).astype(str)).astype(object), pa.string()
            ),
            "app": pa.array(apps, pa.string()),
            "event_type": pa.array(action, pa.string()),
            "user": pa.array(users, pa.string()),
            "src_ip": pa.array(src, pa.string()),
            "dst_ip": pa.array(np.where(apps == "zeek", dst, None), pa.string()),
            "action": pa.array(action, pa.string()),
            "outcome": pa.array(outcome, pa.string()),
            "bytes_out": pa.array(np.where(apps == "zeek", bytes_out, None), pa.int64()),
            "parser": pa.array(["bench"] * n, pa.string()),
            "parser_version": pa.array(["1"] * n, pa.string()),
        },
    )


def build_store(root: Path, *, records: int, segments: int, days: float, seed: int = 7) -> Store:
    """A store of ``segments`` sealed segments spread evenly over ``days`` days."""
    store = init_store(root, seal_interval=3600 * 24 * 365)
    rng = np.random.default_rng(seed)
    span = days * 86400 / segments
    clock = FixedClock(int(START.timestamp() * 1e9))
    writer = LogWriter(
        store,
        store_sealer(store),
        store_verifier(store),
        clock,
        limits=SegmentLimits(max_records=10**9),
        command="bench",
    )
    per = records // segments
    with writer:
        for s in range(segments):
            t0 = START + timedelta(seconds=s * span)
            clock.t = int(t0.timestamp() * 1e9)
            writer.append(_batch(rng, per, t0, span, s))
            writer.flush()
    return store


# ---------------------------------------------------------------- the two paths


def plain_connection(files: list[str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:", config={"threads": 2})
    con.execute("SET TimeZone = 'UTC'")
    con.read_parquet(files).create_view("records")
    con.execute(macros_sql())
    for table in ("findings", "seals"):
        con.from_arrow(
            pa.table(
                {
                    "finding_id": pa.array([], pa.string()),
                    "rule_id": pa.array([], pa.string()),
                    "evidence": pa.array([], pa.list_(pa.uint64())),
                }
            )
        ).create(table)
    con.from_arrow(
        pa.table(
            {
                "since": pa.array([None], pa.timestamp("us", tz="UTC")),
                "until": pa.array([None], pa.timestamp("us", tz="UTC")),
            }
        )
    ).create("query_window")
    for name in ("g6_request_limits", "g6_critical_commands", "g6_data_values"):
        from queries.thresholds import threshold_tables
        from queries.views import Table

        con.from_arrow(threshold_tables(None)[Table(name)]).create(name)
    for view in View:
        con.execute(view_sql(view))
    return con


def logchain_query(store: Store, sql: str, window: TimeWindow | None = None) -> int:
    session = open_session(store, window or TimeWindow())
    con = connect(session.inputs)
    try:
        return run_query(con, sql).num_rows
    finally:
        con.close()


def plain_query(files: list[str], sql: str) -> int:
    con = plain_connection(files)
    try:
        return con.sql(sql).to_arrow_table().num_rows
    finally:
        con.close()


def logchain_detect(store: Store) -> int:
    session = open_session(store, TimeWindow(), with_findings=False)
    con = connect(session.inputs)
    try:
        return run_rules(con, load_rules(), {}, run_id="bench").findings.num_rows
    finally:
        con.close()


def plain_detect(files: list[str]) -> int:
    con = plain_connection(files)
    try:
        n = 0
        for rule in load_rules():
            n += con.sql(rule.sql, params=rule.bind()).to_arrow_table().num_rows
        return n
    finally:
        con.close()


def segment_files(store: Store) -> list[str]:
    return [str(p) for p in sorted(store.segments_dir.glob("*.parquet"))]


# ---------------------------------------------------------------- pytest-benchmark


@pytest.fixture(scope="module", params=[1_000, 100_000], ids=lambda n: f"{n}rec")
def bench_store(request, tmp_path_factory) -> Store:
    return build_store(
        tmp_path_factory.mktemp("bq") / "store", records=request.param, segments=4, days=2
    )


@pytest.fixture(autouse=True)
def _state(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("LOGCHAIN_STATE_DIR", str(tmp_path_factory.getbasetemp() / "state"))


@pytest.mark.benchmark(group="queries")
@pytest.mark.parametrize("name", sorted(ANALYST_QUERIES))
def bench_analyst_query_logchain(benchmark, bench_store, name):
    rows = benchmark(logchain_query, bench_store, ANALYST_QUERIES[name])
    assert rows == plain_query(segment_files(bench_store), ANALYST_QUERIES[name])
    benchmark.extra_info["records"] = _records(bench_store)


@pytest.mark.benchmark(group="queries")
@pytest.mark.parametrize("name", sorted(ANALYST_QUERIES))
def bench_analyst_query_plain_duckdb(benchmark, bench_store, name):
    rows = benchmark(plain_query, segment_files(bench_store), ANALYST_QUERIES[name])
    assert rows > 0
    benchmark.extra_info["records"] = _records(bench_store)


@pytest.mark.benchmark(group="detect")
def bench_detect_logchain(benchmark, bench_store):
    found = benchmark(logchain_detect, bench_store)
    assert found == plain_detect(segment_files(bench_store))
    benchmark.extra_info["records"] = _records(bench_store)


@pytest.mark.benchmark(group="detect")
def bench_detect_plain_duckdb(benchmark, bench_store):
    assert benchmark(plain_detect, segment_files(bench_store)) >= 0
    benchmark.extra_info["records"] = _records(bench_store)


@pytest.mark.benchmark(group="pruning")
def bench_one_hour_of_two_days(benchmark, tmp_path_factory):
    """A 1-hour query over 48 hourly segments opens one segment file."""
    store = build_store(
        tmp_path_factory.mktemp("prune") / "store", records=4800, segments=48, days=2
    )
    window = TimeWindow(START + timedelta(hours=30), START + timedelta(hours=31))
    session = open_session(store, window)
    assert len(session.inputs.segments) == 1
    assert benchmark(logchain_query, store, "SELECT count(*) FROM events", window) == 1
    benchmark.extra_info["segments_opened"] = len(session.inputs.segments)


def _records(store: Store) -> int:
    return sum(int(pa.parquet.ParquetFile(f).metadata.num_rows) for f in segment_files(store))  # type: ignore[attr-defined]


# ---------------------------------------------------------------- figures for the closing note


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def report(
    records: int, days: int, runs: int, workdir: Path, detect_runs: int, parts: set[str]
) -> None:
    import os

    os.environ.setdefault("LOGCHAIN_STATE_DIR", str(workdir / "state"))
    t = time.perf_counter()
    store = build_store(
        workdir / "big", records=records, segments=max(1, records // 1_000_000), days=days
    )
    print(f"built {records:,} records in {time.perf_counter() - t:.0f} s", flush=True)
    files = segment_files(store)
    logchain_query(store, "SELECT 1")  # warm the seal cache, as every later query is
    for name, sql in ANALYST_QUERIES.items():
        a = _median(lambda sql=sql: logchain_query(store, sql), runs)
        b = _median(lambda sql=sql: plain_query(files, sql), runs)
        print(
            f"query {name}: logchain {a:.3f} s, plain DuckDB {b:.3f} s, ratio {a / b:.2f}x",
            flush=True,
        )
    if "detect" in parts:
        _detect(store, files, runs, detect_runs)
    if "pruning" in parts:
        _pruning(days, runs, workdir)


def _detect(store: Store, files: list[str], runs: int, detect_runs: int) -> None:
    a = _median(lambda: logchain_detect(store), detect_runs)
    b = _median(lambda: plain_detect(files), detect_runs)
    print(
        f"detect ({len(load_rules())} rules): logchain {a:.2f} s, "
        f"plain DuckDB {b:.2f} s, ratio {a / b:.2f}x"
    )
    audit = _median(lambda: record_access(store, "bench", "bench", {}), runs)
    print(f"self-audit record sealed by a short writer session: {audit:.3f} s per command")


def _pruning(days: int, runs: int, workdir: Path) -> None:
    t = time.perf_counter()
    month = build_store(workdir / "month", records=days * 24 * 100, segments=days * 24, days=days)
    print(f"built {days * 24} hourly segments in {time.perf_counter() - t:.0f} s", flush=True)
    window = TimeWindow(
        START + timedelta(days=days // 2, hours=10), START + timedelta(days=days // 2, hours=11)
    )
    logchain_query(month, "SELECT 1")
    session = open_session(month, window)
    opened = len(session.inputs.segments)
    q = _median(lambda: logchain_query(month, "SELECT count(*) FROM events", window), runs)
    print(
        f"1-hour query over {days} days: opened {opened} of {session.total_segments} "
        f"segment files, {q:.3f} s"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--detect-runs", type=int, default=3)
    ap.add_argument("--parts", default="queries,detect,pruning", help="comma-separated")
    ap.add_argument("--dir", type=Path, default=None)
    args = ap.parse_args(argv)
    work = args.dir or Path(tempfile.mkdtemp(prefix="bench-queries-"))
    try:
        parts = set(args.parts.split(","))
        report(args.records, args.days, args.runs, work, args.detect_runs, parts)
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
