"""`logchain ingest`: one-shot ingest of files, on the same code path as `logchain watch`.

Every line becomes one record, byte-exact; a last line without a newline is stored with
NO_NEWLINE. A file already partly sealed resumes after its checkpoint, so running the same
ingest twice stores each line once.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import click

from ingest.config import SourceConfig
from ingest.parsers import PARSERS
from ingest.watch import WatchStatus
from logchain.cli._common import json_option, print_json, progress_bar
from logchain.cli.config import AppConfig, Overrides, apply_overrides, load_config
from logchain.cli.watch import run_ingest
from logchain.errors import UsageError


@click.command("ingest")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--store",
    "store_path",
    type=click.Path(file_okay=False, path_type=Path),
    help="The store (overrides `store` in --config).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A logchain.toml: its sources are ingested when no FILES are given.",
)
@click.option(
    "--format",
    "log_format",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", *sorted(PARSERS)]),
    help="Format of FILES (auto: detected per file from its first lines).",
)
@click.option(
    "--tsa",
    "tsa_urls",
    multiple=True,
    metavar="URL",
    help="Also timestamp every seal at this RFC 3161 TSA (repeatable).",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    help="Parser worker processes (0: parse in this process).",
)
@click.option(
    "--max-records", type=click.IntRange(1), help="Close a segment after this many records."
)
@json_option
def ingest_cmd(
    files: tuple[Path, ...],
    store_path: Path | None,
    config_path: Path | None,
    log_format: str,
    tsa_urls: tuple[str, ...],
    workers: int | None,
    max_records: int | None,
    as_json: bool,
) -> None:
    """Ingest FILES (or the sources of --config) to their end, seal them, and stop."""
    config = load_config(config_path) if config_path is not None else AppConfig()
    if files:
        sources = tuple(SourceConfig(path=os.path.abspath(f), format=log_format) for f in files)
        config = replace(config, sources=sources)
    elif not config.sources:
        raise UsageError(
            "nothing to ingest",
            hint="Give FILES, or --config with [[source]] entries (docs/CONFIG.md).",
        )
    config = apply_overrides(
        config, Overrides(store=store_path, tsa=tsa_urls, workers=workers, max_records=max_records)
    )
    total = sum(os.path.getsize(f) for f in files) if files else None
    command = "logchain ingest " + " ".join(str(f) for f in files or [config_path or ""])
    with progress_bar("ingesting", total) as update:

        def show(s: WatchStatus) -> None:
            update(s.bytes)

        result = run_ingest(config, command, follow=False, on_status=show)
    if as_json:
        print_json(result.to_json())
        return
    for f in result.files:
        click.echo(f"{f.path}: {f.records} records (bytes {f.start_offset}..{f.end_offset})")
    click.echo(f"sealed {result.status.records} records in {result.seals_written} seals")
