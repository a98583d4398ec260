"""`logchain shell`: an interactive SQL prompt over the verified segments.

Statements end with ``;`` and may span lines. Dot-commands: ``.help``, ``.tables``,
``.schema NAME``, ``.format table|csv|json``, ``.param NAME=VALUE``, ``.params``, ``.quit``.
History is kept in the user's state directory (never in the store). Every statement run is
queued as a ``shell_query`` system record; they are sealed when the shell ends.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click
import duckdb

from logchain.cli._common import open_store, store_option
from logchain.cli.audit import query_attrs, seal_pending, submit_access
from logchain.cli.output import render
from logchain.cli.query_options import make_window, window_options
from logchain.cli.query_session import Session, open_session, session_connection
from logchain.cli.state import state_dir
from logchain.errors import QueryError
from queries.connection import run_query
from queries.export import rows_of
from queries.views import QUERYABLE

HELP = """\
End a statement with ';' (it may span lines). Bind values with .param NAME=VALUE and $NAME.
  .tables            list the views and tables
  .schema NAME       columns of a view or table
  .format FMT        table, csv or json
  .param NAME=VALUE  bind $NAME (.params lists them, .param NAME= removes one)
  .quit              leave (also Ctrl-D)"""


@dataclass
class ShellState:
    fmt: str = "table"
    params: dict[str, str] = field(default_factory=dict)
    queries: int = 0


@click.command("shell")
@store_option
@window_options
def shell_cmd(store_path: Path, since: str | None, until: str | None) -> None:
    """Interactive SQL over the sealed logs, with history (queries are recorded in the chain)."""
    window = make_window(since, until)
    store = open_store(store_path)
    session = open_session(store, window)
    click.echo(
        f"logchain shell: {len(session.segments)} of {session.total_segments} sealed segments "
        "attached. .help for help, .quit to leave.",
        err=True,
    )
    read = _reader(state_dir() / "shell_history")
    state = ShellState()
    submit_access(store, "shell_opened", "interactive shell opened", window.to_json())
    try:
        with session_connection(session) as con:
            _loop(con, session, state, read)
    finally:
        submit_access(store, "shell_closed", "interactive shell closed", {"queries": state.queries})
        seal_pending(store)


def _reader(history: Path) -> Callable[[str], str]:
    if not sys.stdin.isatty():
        return input
    try:
        import readline
    except ImportError:  # pragma: no cover - platforms without readline
        return input
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    readline.set_history_length(5000)
    import atexit

    atexit.register(lambda: _save_history(readline, history))
    return input


def _save_history(readline: object, history: Path) -> None:
    with contextlib.suppress(OSError):
        readline.write_history_file(str(history))  # type: ignore[attr-defined]
        history.chmod(0o600)


def _loop(
    con: duckdb.DuckDBPyConnection, session: Session, state: ShellState, read: Callable[[str], str]
) -> None:
    buffer: list[str] = []
    while True:
        try:
            line = read("logchain> " if not buffer else "     ...> ")
        except EOFError:
            click.echo("", err=True)
            return
        if not buffer and line.strip().startswith("."):
            if not _dot(con, state, line.strip()):
                return
            continue
        buffer.append(line)
        if line.rstrip().endswith(";"):
            _run(con, session, state, "\n".join(buffer).strip())
            buffer = []


def _run(con: duckdb.DuckDBPyConnection, session: Session, state: ShellState, sql: str) -> None:
    started = time.perf_counter()
    attrs: dict[str, object] = {**query_attrs(sql), "params": dict(state.params)}
    try:
        table = run_query(con, sql, {k: v for k, v in state.params.items() if f"${k}" in sql})
    except QueryError as exc:
        click.echo(f"error: {exc.message}", err=True)
        attrs.update(outcome="failure", error=exc.message)
    else:
        render(*rows_of(table), state.fmt)
        attrs.update(outcome="success", rows=table.num_rows)
    attrs["seconds"] = round(time.perf_counter() - started, 3)
    state.queries += 1
    submit_access(session.store, "shell_query", "shell query run", attrs)


def _dot(con: duckdb.DuckDBPyConnection, state: ShellState, line: str) -> bool:
    """Handle a dot-command; False means leave the shell."""
    cmd, _, arg = line.partition(" ")
    arg = arg.strip()
    if cmd in (".quit", ".exit"):
        return False
    if cmd == ".help":
        click.echo(HELP)
    elif cmd == ".tables":
        click.echo("\n".join(QUERYABLE))
    elif cmd == ".schema" and arg in QUERYABLE:
        rel = con.table(arg)
        types = [str(t) for t in rel.types]
        render(["column", "type"], list(zip(rel.columns, types, strict=True)), state.fmt)
    elif cmd == ".format" and arg in ("table", "csv", "json"):
        state.fmt = arg
    elif cmd == ".param" and "=" in arg:
        name, _, value = arg.partition("=")
        if value:
            state.params[name.strip()] = value
        else:
            state.params.pop(name.strip(), None)
    elif cmd == ".params":
        render(["name", "value"], sorted(state.params.items()), state.fmt)
    else:
        click.echo(f"unknown or incomplete command {line!r}; .help lists them", err=True)
    return True
