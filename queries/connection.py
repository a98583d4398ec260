"""A read-only DuckDB connection over verified inputs, with the analyst's views.

The caller (the CLI) hands in what verified: segment files whose seals and SHA-256 checked,
findings files whose receipts checked, and the active G6 thresholds. File access is limited to
those files (``allowed_paths``), external access is then switched off and the configuration
locked: SQL can read the sealed records, but cannot read other files, write files, attach
databases or load extensions. With a bounded :class:`TimeWindow`, ``records`` holds only the
records whose ``ts`` falls inside it (the segments were already pruned by their sealed ranges).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import duckdb.sqltypes as sqltypes
import pyarrow as pa

from logchain.catalog import SealRow
from logchain.errors import QueryError, QueryInvalid
from logchain.schema import SEGMENT_SCHEMA
from queries.findings import FINDINGS_SCHEMA
from queries.thresholds import Thresholds, threshold_tables
from queries.views import Table, View, macros_sql, view_sql
from queries.window import TimeWindow

SEALS_SCHEMA = pa.schema(
    [  # type: ignore[arg-type]
        ("seal_index", pa.int64()),
        ("kind", pa.string()),
        ("sealed_at", pa.timestamp("us", tz="UTC")),
        ("trusted_time", pa.timestamp("us", tz="UTC")),
        ("self_timestamped", pa.bool_()),
        ("key_id", pa.string()),
        ("statement_sha256", pa.string()),
        ("prev_statement_sha256", pa.string()),
        ("segment", pa.string()),
        ("segment_sha256", pa.string()),
        ("first_index", pa.int64()),
        ("count", pa.int64()),
        ("root_hash", pa.string()),
        ("first_event", pa.timestamp("us", tz="UTC")),
        ("last_event", pa.timestamp("us", tz="UTC")),
    ]
)
WINDOW_SCHEMA = pa.schema(
    [("since", pa.timestamp("us", tz="UTC")), ("until", pa.timestamp("us", tz="UTC"))]
)


@dataclass(frozen=True, slots=True)
class QueryInputs:
    """Everything a query may read; every file here has been verified by the caller."""

    segments: Sequence[Path]
    seals: Sequence[SealRow] = ()
    findings: Sequence[Path] = ()
    thresholds: Thresholds | None = None
    window: TimeWindow = field(default_factory=TimeWindow)


def connect(
    inputs: QueryInputs | Sequence[Path],
    seals: Sequence[SealRow] = (),
    *,
    threads: int = 2,
) -> duckdb.DuckDBPyConnection:
    """Open the locked, read-only connection. Raises QueryError if DuckDB refuses the set-up.

    ``connect(segments, seals)`` (the first API) still works: no findings, thresholds or window.
    """
    if not isinstance(inputs, QueryInputs):
        inputs = QueryInputs(segments=list(inputs), seals=seals)
    try:
        con = duckdb.connect(":memory:", config={"threads": threads})
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")  # never draw into sql/detect output
        _create_tables(con, inputs)
        con.execute(macros_sql())
        for view in View:
            con.execute(view_sql(view))
        files = [str(p) for p in (*inputs.segments, *inputs.findings)]
        con.execute("SET allowed_paths = $paths", {"paths": files or [""]})
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except duckdb.Error as exc:
        raise QueryError(f"could not open the query connection: {exc}") from exc
    return con


def _create_tables(con: duckdb.DuckDBPyConnection, inputs: QueryInputs) -> None:
    files = [str(p) for p in inputs.segments]
    records = con.read_parquet(files) if files else con.from_arrow(SEGMENT_SCHEMA.empty_table())
    window = inputs.window
    if window.bounded:
        ts = duckdb.CoalesceOperator(
            duckdb.ColumnExpression("event_time"),
            duckdb.ColumnExpression("ingest_time").cast(sqltypes.TIMESTAMP_TZ),
        )
        if window.since is not None:
            records = records.filter(ts >= duckdb.ConstantExpression(window.since))
        if window.until is not None:
            records = records.filter(ts < duckdb.ConstantExpression(window.until))
    records.create_view(Table.RECORDS.value)
    rows = [dataclasses.asdict(s) for s in inputs.seals]
    _arrow_view(con, Table.SEALS, pa.Table.from_pylist(rows, schema=SEALS_SCHEMA))
    found = [str(p) for p in inputs.findings]
    if found:
        con.read_parquet(found).create_view(Table.FINDINGS.value)
    else:
        _arrow_view(con, Table.FINDINGS, FINDINGS_SCHEMA.empty_table())
    bounds = pa.Table.from_pylist([window_row(window)], schema=WINDOW_SCHEMA)
    _arrow_view(con, Table.QUERY_WINDOW, bounds)
    for table, arrow in threshold_tables(inputs.thresholds).items():
        _arrow_view(con, table, arrow)


def window_row(window: TimeWindow) -> dict[str, object]:
    return {"since": window.since, "until": window.until}


def _arrow_view(con: duckdb.DuckDBPyConnection, name: Table, table: pa.Table) -> None:
    # Materialise as a DuckDB table: an Arrow-backed view would keep a Python object alive.
    con.from_arrow(table).create(name.value)


def run_query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, object] | None = None,
    *,
    detection: str | None = None,
) -> pa.Table:
    """Run one statement with bound parameters; raises QueryError with DuckDB's message."""
    try:
        rel: Any = con.sql(sql, params=params or None)
        if rel is None:  # a statement with no result set
            return pa.table({})
        table: pa.Table = rel.to_arrow_table()
        return table
    except _USER_ERRORS as exc:
        raise QueryInvalid(_first_line(exc), detection=detection) from exc
    except duckdb.Error as exc:
        raise QueryError(_first_line(exc), detection=detection) from exc


#: DuckDB errors caused by the statement itself (exit code 2), not by the system (3).
_USER_ERRORS = (
    duckdb.ParserException,
    duckdb.BinderException,
    duckdb.CatalogException,
    duckdb.PermissionException,
    duckdb.InvalidInputException,
    duckdb.ConversionException,
)


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
