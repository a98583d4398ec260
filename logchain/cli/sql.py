"""`logchain sql`: read-only DuckDB SQL over verified segments, with receipts and self-audit.

Views: events, auth, network, file_access, devices, evidence, seals, findings (and records).
"""

from __future__ import annotations

import time
from pathlib import Path

import click
import structlog

from logchain.cli._common import open_store, store_option
from logchain.cli.audit import query_attrs, record_access
from logchain.cli.output import render
from logchain.cli.query_options import make_window, param_option, split_params, window_options
from logchain.cli.query_session import Session, open_session, session_connection
from logchain.cli.receipt_build import build_receipt
from logchain.cli.receipts import result_path, sign_receipt
from logchain.cli.wiring import store_sealer
from logchain.errors import LogchainError, UsageError
from queries.canonical import result_hash
from queries.connection import run_query
from queries.export import Result, rows_of, write_result, write_table
from queries.receipt import QuerySpec
from queries.views import QUERYABLE

log = structlog.get_logger(__name__)
FORMATS = ["table", "csv", "json", "parquet"]


@click.command("sql", epilog="Queryable: " + ", ".join(QUERYABLE) + ".")
@store_option
@click.argument("query")
@param_option
@window_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the result here (required for --format parquet).",
)
@click.option(
    "--receipt",
    "receipt_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a signed receipt here (and the rows beside it) for `logchain replay`.",
)
def sql_cmd(
    store_path: Path,
    query: str,
    params: tuple[str, ...],
    since: str | None,
    until: str | None,
    fmt: str,
    output: Path | None,
    receipt_path: Path | None,
) -> None:
    """Run QUERY over the sealed logs (only segments whose seals verify are attached)."""
    if fmt == "parquet" and output is None:
        raise UsageError("--format parquet needs --output FILE")
    bound = split_params(params)
    window = make_window(since, until)
    store = open_store(store_path)
    started = time.perf_counter()
    attrs: dict[str, object] = {**query_attrs(query), "params": bound, **window.to_json()}
    try:
        session = open_session(store, window)
        with session_connection(session) as con:
            table = run_query(con, query, dict(bound))
        attrs.update(rows=table.num_rows, segments_read=len(session.segments))
        _output(table, fmt, output)
        if receipt_path is not None:
            attrs["receipt"] = str(receipt_path)
            _write_receipt(session, query, bound, table, receipt_path)
    except LogchainError as exc:
        attrs.update(outcome="failure", error=exc.message)
        record_access(store, "sql_run", "SQL query refused or failed", attrs)
        raise
    attrs.update(outcome="success", seconds=round(time.perf_counter() - started, 3))
    record_access(store, "sql_run", "SQL query run", attrs)
    click.echo(
        f"{table.num_rows} rows; read {len(session.segments)} of {session.total_segments} "
        "sealed segments",
        err=True,
    )


def _output(table: Result, fmt: str, output: Path | None) -> None:
    if output is not None:
        write_table(table, output, fmt)
        click.echo(f"wrote {table.num_rows} rows to {output}", err=True)
        return
    render(*rows_of(table), fmt)


def _write_receipt(
    session: Session, query: str, bound: dict[str, str], table: Result, path: Path
) -> None:
    result_file = write_result(table, result_path(path))
    receipt = build_receipt(
        "sql",
        session,
        (QuerySpec("sql", query, bound),),
        result_sha256=result_hash(table),
        rows=table.num_rows,
        result_file=result_file,
    )
    sign_receipt(receipt, store_sealer(session.store), path)
    click.echo(f"receipt written to {path} (replay with `logchain replay {path}`)", err=True)
