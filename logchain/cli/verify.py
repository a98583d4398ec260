"""`logchain verify --store STORE`: check every seal, link, segment and the chain's end."""

from __future__ import annotations

from pathlib import Path

import click

from logchain.cli._common import json_option, open_store, print_json, progress_bar, store_option
from logchain.cli.wiring import store_verifier, trust_verifier
from logchain.clock import SystemClock
from logchain.errors import IntegrityError
from logchain.verify import VerifyReport, verify_log


@click.command("verify")
@store_option
@click.option(
    "--trust",
    "trust_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Trust material to verify against (default: STORE/trust). Legal teams should "
    "use the copy they received separately.",
)
@click.option("--live", is_flag=True, help="Also fail if no writer keeps the chain current.")
@click.option("--strict", is_flag=True, help="Fail on cadence gaps too (not only warn).")
@click.option(
    "--witness",
    "witnesses",
    multiple=True,
    metavar="HASH",
    help="A statement hash seen earlier that must still be in the chain (repeatable).",
)
@click.option("--single-thread", is_flag=True, help="Decode Parquet on one thread.")
@json_option
def verify_cmd(
    store_path: Path,
    trust_dir: Path | None,
    live: bool,
    strict: bool,
    witnesses: tuple[str, ...],
    single_thread: bool,
    as_json: bool,
) -> None:
    """Verify the whole store. Exit 0 if intact, 1 on any integrity failure."""
    store = open_store(store_path)
    verifier = trust_verifier(trust_dir) if trust_dir else store_verifier(store)
    try:
        with progress_bar("verifying", None) as update:
            report = verify_log(
                store,
                verifier,
                SystemClock(),
                live=live,
                strict=strict,
                witnesses=witnesses,
                use_threads=not single_thread,
                progress=update,
            )
    except IntegrityError as exc:
        partial = getattr(exc, "report", None)
        if as_json and isinstance(partial, VerifyReport):
            print_json(partial.to_json())
        raise
    if as_json:
        print_json(report.to_json())
        return
    _print_report(report)


def _print_report(r: VerifyReport) -> None:
    click.echo(f"OK: {r.records} records in {r.segments} segments, {r.seals} seals verified")
    click.echo(f"  log {r.log_id}, sealed {r.first_time} .. {r.last_time}, chain {r.state}")
    label = "self-timestamped (local TSA)" if r.self_timestamped_only else "external TSA"
    click.echo(f"  time: {label}; signers: {', '.join(sorted(r.signers))}")
    click.echo(
        f"  newest statement hash (keep it to detect later truncation): {r.last_statement_sha256}"
    )
    for w in r.warnings:
        click.echo(f"  warning: {w}")
