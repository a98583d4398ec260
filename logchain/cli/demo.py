"""`logchain demo`: the whole path on an embedded default, in a temporary store.

Local key + local TSA, realistic system-activity logs from a seeded generator (or --input
files), ingest, verify, a tamper caught on a copy, and the next commands to try.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import click

from ingest.oneshot import ingest_files
from ingest.synth import write_sample_logs
from logchain.cli.init import init_store
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import SystemClock
from logchain.errors import IntegrityError
from logchain.verify import verify_log
from logchain.writer import LogWriter


@click.command("demo")
@click.option(
    "--input",
    "inputs",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Ingest these files instead of generated logs (repeatable).",
)
@click.option(
    "--records",
    default=20_000,
    show_default=True,
    type=click.IntRange(1),
    help="How many generated log lines.",
)
@click.option("--seed", default=7, show_default=True, help="Seed of the log generator.")
@click.option(
    "--dir",
    "workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the demo store here (default: a new temporary directory).",
)
def demo_cmd(inputs: tuple[Path, ...], records: int, seed: int, workdir: Path | None) -> None:
    """Run the whole pipeline once on generated (or given) logs and show a tamper being caught."""
    base = workdir or Path(tempfile.mkdtemp(prefix="logchain-demo-"))
    base.mkdir(parents=True, exist_ok=True)
    store_dir = base / "store"
    click.echo(f"1. creating a store in {store_dir} (local key, local OpenSSL TSA)")
    store = init_store(store_dir, seal_interval=60)

    files = list(inputs)
    if not files:
        logs = base / "logs"
        files = write_sample_logs(logs, records=records, seed=seed)
        click.echo(f"2. generated {records} realistic log lines in {len(files)} files under {logs}")
    else:
        click.echo(f"2. using {len(files)} input files")

    writer = LogWriter(
        store, store_sealer(store), store_verifier(store), SystemClock(), command="logchain demo"
    )
    with writer:
        results = ingest_files(writer, files)
    total = sum(r.records for r in results)
    click.echo(f"3. ingested {total} records, sealed in {writer.seals_written} seals")

    report = verify_log(store, store_verifier(store), SystemClock())
    click.echo(
        f"4. verify: OK, {report.records} records, {report.segments} segments, "
        f"{report.seals} seals (time: self-timestamped by the local TSA)"
    )

    tampered = base / "tampered"
    shutil.copytree(store_dir, tampered)
    _flip_one_raw_byte(tampered)
    from logchain.store import Store

    try:
        verify_log(Store(tampered), store_verifier(store), SystemClock())
    except IntegrityError as exc:
        click.echo("5. a copy with one byte changed inside a sealed segment is caught:")
        click.echo(f"   {type(exc).__name__}: {exc.message}")
    else:  # pragma: no cover - would be a bug in verify
        raise click.ClickException("the tampered copy verified: this is a bug, please report it")

    lc = _program()
    click.echo("\nNext, try:")
    click.echo(f"  {lc} verify --store {store_dir}")
    example_sql = '"SELECT source, count(*) AS n FROM records GROUP BY source ORDER BY n DESC"'
    click.echo(f"  {lc} sql --store {store_dir} {example_sql}")
    click.echo(f"  {lc} prove --store {store_dir} 42 -o proof.json")
    click.echo(f"  {lc} verify-proof proof.json --trust {store.trust_dir}")
    click.echo(f"  {lc} verify --store {tampered}   # exits 1, names the altered chunk")


def _program() -> str:
    """How the user can call logchain: its name if it is on PATH, else the full path."""
    me = Path(sys.argv[0]).resolve()
    found = shutil.which("logchain")
    if found and Path(found).resolve() == me:
        return "logchain"
    return str(Path(sys.argv[0]).absolute()) if me.name == "logchain" else "logchain"


def _flip_one_raw_byte(store_dir: Path) -> None:
    """Rewrite the first segment of a copy with one byte of one record's raw changed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    seg = sorted((store_dir / "segments").glob("*.parquet"))[0]
    footer = pq.ParquetFile(seg).metadata.metadata or {}
    # Keep logchain's footer (as a careful forger would): verify then narrows the change down to
    # the 64-record chunk whose Merkle root moved.
    kept = {k: v for k, v in footer.items() if k != b"ARROW:schema"}
    table = pq.read_table(seg).replace_schema_metadata(kept)
    raw = table.column("raw").to_pylist()
    victim = len(raw) // 2
    line = bytearray(raw[victim] or b"")
    line[0] ^= 0x01
    raw[victim] = bytes(line)
    table = table.set_column(table.schema.get_field_index("raw"), "raw", pa.array(raw, pa.binary()))
    seg.chmod(0o644)
    pq.write_table(table, seg, compression="zstd")
