"""`logchain ingest --store STORE FILE...`: one-shot ingest of whole files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ingest.oneshot import ingest_files
from logchain.cli._common import json_option, open_store, print_json, progress_bar, store_option
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import SystemClock
from logchain.writer import LogWriter, SegmentLimits


@click.command("ingest")
@store_option
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--tsa",
    "tsa_urls",
    multiple=True,
    metavar="URL",
    help="Also timestamp every seal at this RFC 3161 TSA (repeatable).",
)
@click.option(
    "--max-records",
    default=1_000_000,
    show_default=True,
    type=click.IntRange(1),
    help="Close a segment after this many records.",
)
@json_option
def ingest_cmd(
    store_path: Path,
    files: tuple[Path, ...],
    tsa_urls: tuple[str, ...],
    max_records: int,
    as_json: bool,
) -> None:
    """Ingest FILES: every line becomes one record, byte-exact, sealed into segments."""
    store = open_store(store_path)
    limits = SegmentLimits(max_records=max_records, max_age_s=store.manifest().seal_interval_s)
    command = "logchain ingest " + " ".join(str(f) for f in files)
    total = sum(os.path.getsize(f) for f in files)
    writer = LogWriter(
        store,
        store_sealer(store, tsa_urls=tsa_urls),
        store_verifier(store),
        SystemClock(),
        limits=limits,
        command=command,
    )
    done = 0
    with progress_bar("ingesting", total) as update, writer:

        def advance(n: int) -> None:
            nonlocal done
            done += n
            update(done)

        results = ingest_files(writer, list(files), progress=advance)
    summary = {
        "store": str(store.root),
        "files": [
            {
                "path": str(r.path),
                "records": r.records,
                "from_offset": r.start_offset,
                "to_offset": r.end_offset,
            }
            for r in results
        ],
        "records": sum(r.records for r in results),
        "seals_written": writer.seals_written,
        "next_index": writer.tail.next_index,
    }
    if as_json:
        print_json(summary)
    else:
        for r in results:
            click.echo(f"{r.path}: {r.records} records (bytes {r.start_offset}..{r.end_offset})")
        click.echo(
            f"sealed {summary['records']} records in {writer.seals_written} seals", file=sys.stdout
        )
