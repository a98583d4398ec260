"""`logchain sql --store STORE "SELECT ..."`: read-only DuckDB SQL over verified segments."""

from __future__ import annotations

from pathlib import Path

import click

from logchain.catalog import verified_catalog
from logchain.cli._common import open_store, store_option
from logchain.cli.output import render
from logchain.cli.wiring import store_verifier
from queries.connection import connect, run_query


@click.command("sql")
@store_option
@click.argument("query")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind $NAME in the query to VALUE (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
def sql_cmd(store_path: Path, query: str, params: tuple[str, ...], fmt: str) -> None:
    """Run QUERY over the views `records` and `seals` (only verified segments are attached)."""
    bound: dict[str, object] = {}
    for p in params:
        name, sep, value = p.partition("=")
        if not sep or not name:
            raise click.UsageError(f"parameter {p!r} is not NAME=VALUE")
        bound[name] = value
    store = open_store(store_path)
    catalog = verified_catalog(store, store_verifier(store))
    con = connect(catalog.segments, catalog.seals)
    table = run_query(con, query, bound)
    render(table.column_names, [tuple(r.values()) for r in table.to_pylist()], fmt)
