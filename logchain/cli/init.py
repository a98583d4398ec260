"""`logchain init STORE`: a new store with a local key, a local TSA and its genesis seal."""

from __future__ import annotations

import uuid
from pathlib import Path

import click

from logchain.cli._common import json_option, print_json
from logchain.cli.wiring import store_sealer
from logchain.clock import SystemClock
from logchain.genesis import write_genesis
from logchain.store import Manifest, Store
from logchain.types import format_ns, ns_to_datetime
from sealing.provision import provision_local


def init_store(path: Path, *, seal_interval: int = 60, log_id: str | None = None) -> Store:
    """Create the store, its trust material and seal 0. Raises UsageError if it exists."""
    clock = SystemClock()
    now = clock.now_ns()
    store = Store(path)
    lid = log_id or str(uuid.uuid4())
    store.create(Manifest(log_id=lid, created=format_ns(now), seal_interval_s=seal_interval))
    provision_local(store.private_dir, store.trust_dir, log_id=lid, now=ns_to_datetime(now))
    write_genesis(store, store_sealer(store), clock)
    return store


@click.command("init")
@click.argument("store_path", metavar="STORE", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--seal-interval",
    default=60,
    show_default=True,
    type=click.IntRange(1, 86400),
    help="Seconds between seals at most (heartbeats keep this cadence).",
)
@click.option("--log-id", default=None, help="Log id (default: a new UUID).")
@json_option
def init_cmd(store_path: Path, seal_interval: int, log_id: str | None, as_json: bool) -> None:
    """Create a store with a local signing key, a local RFC 3161 TSA and the genesis seal."""
    store = init_store(store_path, seal_interval=seal_interval, log_id=log_id)
    manifest = store.manifest()
    if as_json:
        print_json({"store": str(store.root), **manifest.to_json()})
        return
    click.echo(f"created store {store.root} (log id {manifest.log_id})")
    click.echo(f"  trust material for verifiers: {store.trust_dir}")
    click.echo(f"  private keys (keep out of evidence copies): {store.private_dir}")
    click.echo("  timestamps come from the local OpenSSL TSA: reports call them self-timestamped")
