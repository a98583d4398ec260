"""Detect and query stages: SQL over the sealed store, and the same SQL on plain DuckDB.

``detect`` is what a SOC analyst's run costs: open the verified catalog (every seal verified,
every segment file hashed), open the read-only connection (:mod:`queries.connection`) and run
the query set once. ``query_ceiling`` runs the same SQL on a plain ``duckdb.connect()`` over the
same Parquet files (no verification, no sandbox). Per-query latency is the median of
:data:`QUERY_REPEATS` warm runs on each connection.

The query set is :data:`PROBES` (the harness's own, covering a brute-force count, a text match,
an hourly top-N, a window z-score and a proof-fetch point lookup) until the detection rule pack
exposes a runner; then it is the rule pack's SQL.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from logchain.catalog import verified_catalog
from logchain.cli.bench.measure import Sample, measured
from logchain.cli.wiring import store_verifier
from logchain.store import Store
from queries.connection import connect, run_query

QUERY_REPEATS = 5


@dataclass(frozen=True, slots=True)
class Probe:
    """A named query over the ``records`` view, with parameters."""

    name: str
    sql: str
    params: Mapping[str, object]


PROBES: tuple[Probe, ...] = (
    Probe(
        "failed_logins_by_src",
        "SELECT src_ip, count(*) AS n FROM records WHERE outcome = 'failure' "
        "GROUP BY src_ip HAVING count(*) >= 20 ORDER BY n DESC",
        {},
    ),
    Probe(
        "failed_password_text",
        "SELECT count(*) AS n FROM records WHERE message LIKE '%Failed password%'",
        {},
    ),
    Probe(
        "hourly_top_bytes_out",
        "SELECT date_trunc('hour', event_time) AS hr, user, sum(bytes_out) AS b FROM records "
        "WHERE bytes_out IS NOT NULL GROUP BY hr, user "
        "QUALIFY row_number() OVER (PARTITION BY hr ORDER BY b DESC) <= 5",
        {},
    ),
    Probe(
        "user_hour_zscore",
        "WITH c AS (SELECT user, date_trunc('hour', event_time) AS hr, count(*) AS n "
        "FROM records WHERE user IS NOT NULL GROUP BY user, hr), "
        "s AS (SELECT *, avg(n) OVER (PARTITION BY user) AS mu, "
        "stddev_pop(n) OVER (PARTITION BY user) AS sd FROM c) "
        "SELECT user, hr, n, (n - mu) / sd AS z FROM s WHERE sd > 0 AND (n - mu) / sd > 6",
        {},
    ),
    Probe("count_by_source", "SELECT source, count(*) AS n FROM records GROUP BY source", {}),
    Probe("point_lookup", 'SELECT raw FROM records WHERE "index" = $i', {"i": 0}),
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


def _params(probe: Probe, records: int) -> dict[str, object]:
    return {"i": records // 2} if "i" in probe.params else dict(probe.params)


Runner = Callable[[str, dict[str, object]], object]


def _median_latency(run: Runner, probe: Probe, records: int) -> float:
    times = []
    for _ in range(QUERY_REPEATS):
        t0 = time.perf_counter()
        run(probe.sql, _params(probe, records))
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _arrow(rel: duckdb.DuckDBPyRelation) -> object:
    """The result as an Arrow table, as ``queries.connection.run_query`` returns it."""
    return rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()


def _plain(files: Sequence[Path]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:", config={"threads": 2})
    con.read_parquet([str(p) for p in files]).create_view("records")
    return con


def run_queries(store_dir: Path, records: int, raw_bytes: int) -> QueryResult:
    """Detect (verified catalog + sandboxed connection + query set) vs plain DuckDB."""
    store = Store(store_dir)
    rows: dict[str, int] = {}
    with measured(records, raw_bytes) as det:
        catalog = verified_catalog(store, store_verifier(store))
        con = connect(catalog.segments, catalog.seals)
        for p in PROBES:
            rows[p.name] = run_query(con, p.sql, _params(p, records)).num_rows
    latency = {
        p.name: _median_latency(lambda q, a: run_query(con, q, a), p, records) for p in PROBES
    }
    con.close()
    with measured(records, raw_bytes) as ceil:
        plain = _plain(catalog.segments)
        for p in PROBES:
            _arrow(plain.sql(p.sql, params=_params(p, records)))

    def plain_run(q: str, a: dict[str, object]) -> None:
        _arrow(plain.sql(q, params=a))

    ceiling_latency = {p.name: _median_latency(plain_run, p, records) for p in PROBES}
    plain.close()
    return QueryResult(det[0], ceil[0], latency, ceiling_latency, rows, "bench-probes/1")
