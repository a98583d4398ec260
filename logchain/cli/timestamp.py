"""`logchain timestamp --store STORE --tsa URL`: add tokens from another TSA to existing seals.

Each seal keeps its statement and signature; only a token is appended, so the chain still links.
Run it when an external TSA becomes reachable, to anchor self-timestamped seals to independent
time. The action is itself recorded in the chain (an inbox event for the next writer session).
"""

from __future__ import annotations

from pathlib import Path

import click

from logchain import inbox
from logchain.cli._common import json_option, open_store, print_json, store_option
from logchain.cli.wiring import store_verifier
from logchain.clock import SystemClock
from logchain.fileops import replace_file
from sealing.anchor import anchor_seal, trust_authority
from sealing.tsa import HttpTsa


@click.command("timestamp")
@store_option
@click.option("--tsa", "tsa_url", required=True, metavar="URL", help="RFC 3161 TSA over HTTP(S).")
@click.option(
    "--tsa-chain",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM certificate chain of the TSA (leaf first); added to trust/trusted_root.json.",
)
@click.option("--name", default=None, help="Name of the TSA in the trusted root (default: URL).")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds to wait for the TSA.")
@json_option
def timestamp_cmd(
    store_path: Path,
    tsa_url: str,
    tsa_chain: Path | None,
    name: str | None,
    timeout: float,
    as_json: bool,
) -> None:
    """Append a token from TSA URL to every seal that has none from it yet."""
    store = open_store(store_path)
    tsa_name = name or tsa_url
    transport = HttpTsa(tsa_url, timeout_s=timeout)
    added: list[int] = []
    with store.writer_lock("logchain timestamp"):
        trusted = bool(tsa_chain) and trust_authority(
            store.trusted_root_path, tsa_name, tsa_url, tsa_chain or Path()
        )
        verifier = store_verifier(store)
        seals, _ = store.seal_files()
        for i, path in sorted(seals.items()):
            anchored = anchor_seal(
                path.read_bytes(),
                tsa=tsa_name,
                transport=transport,
                verifier=verifier,
                seal_index=i,
            )
            if anchored is not None:
                replace_file(path, anchored, mode=0o444)
                added.append(i)
    inbox.submit(
        store,
        SystemClock(),
        "seals_timestamped",
        f"{len(added)} seals timestamped by {tsa_name}",
        {"tsa": tsa_name, "url": tsa_url, "seals": added, "tsa_added_to_trust": trusted},
    )
    if as_json:
        print_json({"store": str(store.root), "tsa": tsa_name, "seals_timestamped": added})
        return
    click.echo(f"{len(added)} of {len(seals)} seals now carry a token from {tsa_name}")
    if trusted:
        click.echo(f"  {tsa_name} was added to {store.trusted_root_path}: give verifiers this copy")
