"""`logchain prove` and `logchain verify-proof`: inclusion proofs for single records."""

from __future__ import annotations

import json
from pathlib import Path

import click

from logchain.cli._common import open_store, print_json, store_option
from logchain.cli.wiring import store_verifier, trust_verifier
from logchain.errors import ProofInvalid
from logchain.proof import InclusionProof, make_proof, verify_proof


@click.command("prove")
@store_option
@click.argument("index", type=click.IntRange(0))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the proof here instead of stdout.",
)
def prove_cmd(store_path: Path, index: int, output: Path | None) -> None:
    """Print the inclusion proof of record INDEX (envelope, leaf hash, audit path, seal)."""
    store = open_store(store_path)
    proof = make_proof(store, store_verifier(store), index)
    if output:
        output.write_text(json.dumps(proof.to_json(), indent=2) + "\n")
        click.echo(f"proof of record {index} written to {output}", err=True)
    else:
        print_json(proof.to_json())


@click.command("verify-proof")
@click.argument(
    "proof_path", metavar="PROOF", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--trust",
    "trust_dir",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Directory with keyring.json and trusted_root.json.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON result.")
def verify_proof_cmd(proof_path: Path, trust_dir: Path, as_json: bool) -> None:
    """Check an inclusion proof offline, with only the proof and the trust material."""
    try:
        doc = json.loads(proof_path.read_text())
    except ValueError as exc:
        raise ProofInvalid(f"{proof_path} is not JSON: {exc}") from exc
    proof = InclusionProof.from_json(doc)
    result = verify_proof(proof, trust_verifier(trust_dir))
    times = [t.gen_time.isoformat() for t in result.seal.timestamps]
    if as_json:
        print_json(
            {
                "ok": True,
                "index": result.index,
                "seal_index": result.seal_index,
                "statement_sha256": result.statement_sha256,
                "timestamps": times,
                "raw_hex": proof.envelope.raw.hex(),
            }
        )
        return
    click.echo(f"OK: record {result.index} is in the segment sealed by seal {result.seal_index}")
    click.echo(f"  sealed and timestamped at {', '.join(times)}; key {result.seal.key_id}")
    click.echo(f"  raw: {proof.envelope.raw!r}")
