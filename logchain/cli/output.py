"""Rendering result tables: rich table, CSV or JSON lines on stdout."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import click
from rich.table import Table

from logchain.cli._common import out_console


def _cell(value: object) -> object:
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def render(columns: Sequence[str], rows: Sequence[Sequence[object]], fmt: str) -> None:
    """Print rows in ``fmt`` (table, csv or json)."""
    if fmt == "json":
        for row in rows:
            click.echo(
                json.dumps({c: _cell(v) for c, v in zip(columns, row, strict=True)}, default=str)
            )
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(columns)
        for row in rows:
            w.writerow([_cell(v) for v in row])
        click.echo(buf.getvalue(), nl=False)
    else:
        table = Table(*columns, show_lines=False)
        for row in rows:
            table.add_row(*["" if v is None else str(_cell(v)) for v in row])
        out_console.print(table)
        click.echo(f"{len(rows)} rows", err=True)
