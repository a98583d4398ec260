"""Shared CLI plumbing: logging set-up (the one structlog.configure call), output, wiring."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import structlog
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from logchain.store import Store

err_console = Console(stderr=True, highlight=False)
out_console = Console(highlight=False)


def configure_logging(level: str) -> None:
    """Configure structlog once: console rendering on a terminal, JSON lines otherwise."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: list[Any]
    if sys.stderr.isatty():
        renderer = [structlog.dev.ConsoleRenderer()]
    else:
        renderer = [structlog.processors.dict_tracebacks, structlog.processors.JSONRenderer()]
    structlog.configure(
        processors=[*shared, *renderer],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def print_json(value: object) -> None:
    click.echo(json.dumps(value, indent=2, sort_keys=False, default=str))


def store_option(f: Any) -> Any:
    return click.option(
        "--store",
        "store_path",
        required=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="The store directory (made by `logchain init`).",
    )(f)


def json_option(f: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True, help="Print a JSON report on stdout.")(f)


def open_store(path: Path) -> Store:
    store = Store(path)
    store.manifest()  # raises UsageError if this is not a store
    return store


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Any]:
    """A rich progress bar on a terminal; a no-op callback otherwise."""
    if not sys.stderr.isatty():
        yield lambda done, _total=None: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)

        def update(done: int, total_now: int | None = None) -> None:
            bar.update(task, completed=done, total=total_now or total)

        yield update
