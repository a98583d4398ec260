"""A read-only DuckDB connection over verified segments, with the views ``records`` and ``seals``.

File access is limited to the listed segment files (``allowed_paths``), external access is then
switched off and the configuration locked: SQL can read the sealed records, but cannot read other
files, write files, attach databases or load extensions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from logchain.catalog import SealRow
from logchain.errors import QueryError
from logchain.schema import SEGMENT_SCHEMA

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


def connect(
    segments: Sequence[Path], seals: Sequence[SealRow], *, threads: int = 2
) -> duckdb.DuckDBPyConnection:
    """Open the connection. Raises QueryError if DuckDB refuses the set-up."""
    try:
        con = duckdb.connect(":memory:", config={"threads": threads})
        files = [str(p) for p in segments]
        if files:
            con.read_parquet(files).create_view("records")
        else:  # an empty store still has the view, with the segment schema
            con.from_arrow(SEGMENT_SCHEMA.empty_table()).create_view("records")
        rows = [dataclasses.asdict(s) for s in seals]
        con.from_arrow(pa.Table.from_pylist(rows, schema=SEALS_SCHEMA)).create_view("seals")
        con.execute("SET allowed_paths = $paths", {"paths": files or [""]})
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except duckdb.Error as exc:
        raise QueryError(f"could not open the query connection: {exc}") from exc
    return con


def run_query(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None
) -> pa.Table:
    """Run one statement with bound parameters; raises QueryError with DuckDB's message."""
    try:
        rel: Any = con.sql(sql, params=params or None)
        if rel is None:  # a statement with no result set
            return pa.table({})
        table: pa.Table = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
        return table
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
