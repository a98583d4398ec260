"""Findings: what a detection run found, one row per finding, written once per run.

A run's findings are one Parquet file ``STORE/findings/<run_id>.parquet`` signed by the run's
receipt (``<run_id>.receipt.json``): the ``findings`` view reads only files whose receipt
verifies and whose SHA-256 the receipt states. ``finding_id`` is derived from the finding's
content (rule, entity, window, evidence: :data:`ID_SEPARATOR`), so a replay yields the same ids.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import duckdb.sqltypes as sqltypes
import pyarrow as pa
import pyarrow.parquet as pq

from logchain.fileops import write_once

UTC_US = pa.timestamp("us", tz="UTC")

FINDINGS_SCHEMA = pa.schema(
    [  # type: ignore[arg-type]
        ("finding_id", pa.string()),
        ("run_id", pa.string()),
        ("rule_id", pa.string()),
        ("title", pa.string()),
        ("clause", pa.string()),
        ("severity", pa.string()),
        ("window_start", UTC_US),
        ("window_end", UTC_US),
        ("entity", pa.string()),
        ("count", pa.int64()),
        ("evidence", pa.list_(pa.uint64())),
        ("detail", pa.string()),
    ]
)
#: The columns a detection's SELECT returns (the runner adds the rest).
RULE_COLUMNS = ("entity", "window_start", "window_end", "count", "evidence", "detail")
#: Columns left out of the result hash: they name the run, not what was found.
RUN_COLUMNS = ("run_id",)


@dataclass(frozen=True, slots=True)
class RuleIdentity:
    rule_id: str
    title: str
    clause: str
    severity: str


#: ``finding_id`` = first 16 hex digits of SHA-256 over these fields joined by U+001F: rule id,
#: entity, window start and end (``%Y-%m-%dT%H:%M:%S.%fZ``, UTC, empty when null) and the sorted
#: distinct evidence indices joined by commas. Computed inside DuckDB, so it costs no Python loop.
ID_SEPARATOR = "\x1f"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
EVIDENCE_TYPE = duckdb.list_type(sqltypes.UBIGINT)


def finding_expressions(rule_id: str) -> list[duckdb.Expression]:
    """Projections that turn a detection's rows into finding columns (relational API, no SQL)."""
    col, const, fn = duckdb.ColumnExpression, duckdb.ConstantExpression, duckdb.FunctionExpression
    evidence = fn("list_sort", fn("list_distinct", col("evidence").cast(EVIDENCE_TYPE)))
    start = col("window_start").cast(sqltypes.TIMESTAMP_TZ)
    end = col("window_end").cast(sqltypes.TIMESTAMP_TZ)
    entity = duckdb.CoalesceOperator(col("entity").cast(sqltypes.VARCHAR), const(""))

    def text(ts: duckdb.Expression) -> duckdb.Expression:
        return duckdb.CoalesceOperator(fn("strftime", ts, const(TIME_FORMAT)), const(""))

    key = fn(
        "concat_ws",
        const(ID_SEPARATOR),
        const(rule_id),
        entity,
        text(start),
        text(end),
        fn("array_to_string", evidence, const(",")),
    )
    return [
        fn("substr", fn("sha256", key), const(1), const(16)).alias("finding_id"),
        entity.alias("entity"),
        start.alias("window_start"),
        end.alias("window_end"),
        col("count").cast(sqltypes.BIGINT).alias("count"),
        evidence.alias("evidence"),
        col("detail").cast(sqltypes.VARCHAR).alias("detail"),
    ]


def findings_table(rule: RuleIdentity, run_id: str, projected: pa.Table) -> pa.Table:
    """The findings of one rule: the projected rows plus the run's and the rule's constants."""
    n = projected.num_rows
    constants = {
        "run_id": run_id,
        "rule_id": rule.rule_id,
        "title": rule.title,
        "clause": rule.clause,
        "severity": rule.severity,
    }
    columns = [
        pa.array([constants[f.name]] * n, f.type)
        if f.name in constants
        else projected.column(f.name)
        for f in FINDINGS_SCHEMA
    ]
    return pa.Table.from_arrays(columns, schema=FINDINGS_SCHEMA)


def sort_findings(table: pa.Table) -> pa.Table:
    """Findings in a stable order: severity rank, rule, window start, entity, id."""
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    ranks = [rank.get(str(s), 9) for s in table.column("severity").to_pylist()]
    keyed = table.append_column("_rank", pa.array(ranks, pa.int32()))
    order = keyed.sort_by(
        [
            ("_rank", "ascending"),
            ("rule_id", "ascending"),
            ("window_start", "ascending"),
            ("entity", "ascending"),
            ("finding_id", "ascending"),
        ]
    )
    return order.drop_columns(["_rank"])


def write_findings(table: pa.Table, path: Path) -> None:
    """Write the run's findings once (refuses to overwrite). Raises StorageError."""
    buf = io.BytesIO()
    pq.write_table(table.cast(FINDINGS_SCHEMA), buf, compression="zstd")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_once(path, buf.getvalue(), mode=0o444)


def read_findings(paths: Sequence[Path]) -> pa.Table:
    """All findings in ``paths`` (already verified by the caller)."""
    if not paths:
        return FINDINGS_SCHEMA.empty_table()
    return pa.concat_tables([pq.read_table(p).cast(FINDINGS_SCHEMA) for p in paths])


def evidence_of(paths: Sequence[Path], finding: str) -> list[int] | None:
    """The evidence record indices of finding ``finding`` (None if no file holds it)."""
    table = read_findings(paths)
    for row in table.select(["finding_id", "evidence"]).to_pylist():
        if row["finding_id"] == finding:
            return [int(i) for i in row["evidence"] or []]
    return None
