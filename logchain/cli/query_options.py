"""Options shared by sql, shell, detect and replay (an option bundle, as in sqlite-utils)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

from queries.window import TimeWindow, parse_time

F = TypeVar("F", bound=Callable[..., Any])


def window_options(f: F) -> F:
    f = click.option(
        "--until",
        metavar="TIME",
        help="Only records before TIME (RFC 3339, a date, or relative such as -1h).",
    )(f)
    f = click.option(
        "--since",
        metavar="TIME",
        help="Only records at or after TIME; segments sealed entirely outside are not opened.",
    )(f)
    return f


def param_option(f: F) -> F:
    return click.option(
        "-p",
        "--param",
        "params",
        multiple=True,
        metavar="NAME=VALUE",
        help="Bind $NAME to VALUE (repeatable); values are never pasted into the SQL text.",
    )(f)


def make_window(since: str | None, until: str | None) -> TimeWindow:
    """The window from --since/--until. Raises click.BadParameter with the accepted forms."""
    now = datetime.now(UTC)
    try:
        return TimeWindow(
            since=None if since is None else parse_time(since, now=now),
            until=None if until is None else parse_time(until, now=now),
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since/--until") from None


def split_params(params: Sequence[str]) -> dict[str, str]:
    """NAME=VALUE pairs. Raises click.UsageError for a pair without '='."""
    out: dict[str, str] = {}
    for p in params:
        name, sep, value = p.partition("=")
        if not sep or not name:
            raise click.UsageError(f"parameter {p!r} is not NAME=VALUE")
        out[name.strip()] = value
    return out
