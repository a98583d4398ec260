"""Detect and query stages: the rule pack over the sealed store, and the same SQL unverified.

``detect`` is one whole ``logchain detect`` run, in this process: verify every seal, hash every
segment file, open the locked connection with the analyst views, run every rule of the pack,
write the findings file and its signed receipt, and seal the self-audit record.

``query_ceiling`` runs the same rule SQL on a connection over the same Parquet files with the same
views (``queries.connection.connect`` on unverified inputs: DuckDB alone, no seal or file
verification, no findings, receipt or self-audit).

Per-query latency (for *query latency vs store size*): each rule's time inside the ceiling run
(DuckDB's own cost of the rule, first run), and one warm run per repeat of :data:`PROBES` (a
full-text scan and the proof-fetch point lookup) on the verified connection and on the ceiling's.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from logchain.cli.bench.measure import Sample, measured
from logchain.cli.query_session import open_session
from logchain.store import Store
from queries.connection import QueryInputs, connect, run_query
from queries.rules import Rule, load_rules
from queries.window import TimeWindow


@dataclass(frozen=True, slots=True)
class Probe:
    """A named query over the ``records`` view, with parameters."""

    name: str
    sql: str
    params: Mapping[str, object]


PROBES: tuple[Probe, ...] = (
    Probe(
        "probe:text_scan",
        "SELECT count(*) AS n FROM records WHERE message LIKE '%Failed password%'",
        {},
    ),
    Probe("probe:point_lookup", 'SELECT raw FROM records WHERE "index" = $i', {"i": 0}),
)


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Detect stage, ceiling, and per-query warm latencies (seconds) on both connections."""

    detect: Sample
    ceiling: Sample
    latency: dict[str, float]
    ceiling_latency: dict[str, float]
    rows: dict[str, int]
    query_set: str


def _run_detect(store_dir: Path) -> None:
    from logchain.cli import main  # the whole command, as an analyst runs it

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(
            ["--log-level", "error", "detect", "--store", str(store_dir), "--format", "json"]
        )
    if code != 0:
        raise RuntimeError(f"logchain detect exited {code} on the benchmark store {store_dir}")


def _probes(
    con: duckdb.DuckDBPyConnection, records: int
) -> tuple[dict[str, float], dict[str, int]]:
    """One warm run of each probe."""
    lat: dict[str, float] = {}
    rows: dict[str, int] = {}
    for probe in PROBES:
        args: dict[str, object] = dict(probe.params)
        if "i" in args:
            args["i"] = records // 2
        t0 = time.perf_counter()
        rows[probe.name] = run_query(con, probe.sql, args).num_rows
        lat[probe.name] = time.perf_counter() - t0
    return lat, rows


def _rules(
    con: duckdb.DuckDBPyConnection, rules: list[Rule]
) -> tuple[dict[str, float], dict[str, int]]:
    """Each rule's bare SQL once, timed."""
    lat: dict[str, float] = {}
    rows: dict[str, int] = {}
    for rule in rules:
        t0 = time.perf_counter()
        rows[rule.id] = con.sql(rule.sql, params=rule.bind() or None).to_arrow_table().num_rows
        lat[rule.id] = time.perf_counter() - t0
    return lat, rows


def run_queries(store_dir: Path, records: int, raw_bytes: int) -> QueryResult:
    """Detect (the whole command) vs the same rule SQL on unverified DuckDB; warm latencies."""
    os.environ.setdefault("LOGCHAIN_STATE_DIR", str(store_dir.parent / "state"))
    rules = load_rules()
    with measured(records, raw_bytes) as det:
        _run_detect(store_dir)
    session = open_session(Store(store_dir), TimeWindow(), with_findings=False)
    files = list(session.inputs.segments)
    verified = connect(session.inputs)
    try:
        latency, rows = _probes(verified, records)
    finally:
        verified.close()
    with measured(records, raw_bytes) as ceil:
        plain = connect(QueryInputs(segments=files))
        ceiling_latency, rule_rows = _rules(plain, rules)
    try:
        probe_lat, _ = _probes(plain, records)
    finally:
        plain.close()
    ceiling_latency.update(probe_lat)
    rows.update(rule_rows)
    return QueryResult(
        det[0], ceil[0], latency, ceiling_latency, rows, f"rule pack ({len(rules)} rules)"
    )
