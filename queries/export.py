"""Writing query results: Parquet, CSV or JSON lines files, and rows for the terminal."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from logchain.errors import StorageError
from logchain.fileops import file_sha256, write_once
from queries.receipt import FileRef

#: A query result, as the CLI passes it around without touching Arrow itself.
Result: TypeAlias = pa.Table


def rows_of(table: Result) -> tuple[list[str], list[tuple[object, ...]]]:
    """Column names and rows as Python values."""
    return table.column_names, [tuple(r.values()) for r in table.to_pylist()]


def row_count(table: Result) -> int:
    return table.num_rows


def _cell(value: object) -> object:
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def write_table(table: Result, path: Path, fmt: str) -> None:
    """Write ``table`` to ``path`` as parquet, csv or json (lines). Raises StorageError."""
    try:
        if fmt == "parquet":
            pq.write_table(table, path, compression="zstd")
        elif fmt == "csv":
            pacsv.write_csv(_csv_safe(table), path)
        else:
            with path.open("w", encoding="utf-8") as fh:
                for row in table.to_pylist():
                    fh.write(json.dumps({k: _cell(v) for k, v in row.items()}, default=str))
                    fh.write("\n")
    except (OSError, pa.ArrowException) as exc:
        raise StorageError(f"could not write the result: {exc}", path=path) from exc


def _csv_safe(table: Result) -> Result:
    cols: list[pa.Array[Any] | pa.ChunkedArray[Any]] = []
    for col in table.columns:
        if (
            pa.types.is_list(col.type)
            or pa.types.is_struct(col.type)
            or pa.types.is_binary(col.type)
        ):
            cols.append(pa.array([None if v is None else str(_cell(v)) for v in col.to_pylist()]))
        else:
            cols.append(col.combine_chunks())
    return pa.Table.from_arrays(cols, names=table.column_names)


def write_result(table: Result, path: Path) -> FileRef:
    """Write a result once as Parquet (refuses to overwrite); returns its name and SHA-256."""
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    write_once(path, buf.getvalue(), mode=0o444)
    return FileRef(path.name, file_sha256(path))


def read_result(path: Path) -> Result:
    """A result written by :func:`write_result`. Raises StorageError if unreadable."""
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise StorageError(f"cannot read the result file: {exc}", path=path) from exc


def column_values(table: Result, name: str) -> Sequence[object]:
    return table.column(name).to_pylist()
