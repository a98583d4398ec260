"""`logchain prove` and `logchain verify-proof`: inclusion proofs for single records.

`prove --finding ID -o DIR` writes one proof per evidence record of a detect finding. Every
prove run is recorded as a ``proof_exported`` system record (access to the store is audited).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from logchain.cli._common import open_store, print_json, store_option
from logchain.cli.audit import record_access
from logchain.cli.finding_lookup import finding_evidence
from logchain.cli.wiring import store_verifier, trust_verifier
from logchain.errors import LogchainError, ProofInvalid, UsageError
from logchain.proof import InclusionProof, make_proof, verify_proof


@click.command("prove")
@store_option
@click.argument("indices", metavar="[INDEX]...", nargs=-1, type=click.IntRange(0))
@click.option("--finding", "finding_id", help="Prove every evidence record of this finding.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the proof here instead of stdout (a directory for several proofs).",
)
def prove_cmd(
    store_path: Path, indices: tuple[int, ...], finding_id: str | None, output: Path | None
) -> None:
    """Print the inclusion proof of record INDEX (envelope, leaf hash, audit path, seal)."""
    store = open_store(store_path)
    wanted = list(indices)
    if finding_id:
        wanted += finding_evidence(store, finding_id)
    if not wanted:
        raise UsageError("give a record INDEX or --finding ID")
    attrs: dict[str, object] = {"indices": wanted, "finding_id": finding_id}
    try:
        verifier = store_verifier(store)
        proofs = [make_proof(store, verifier, i) for i in dict.fromkeys(wanted)]
        _write(proofs, output)
    except LogchainError as exc:
        record_access(
            store, "proof_exported", "proof export failed", {**attrs, "error": exc.message}
        )
        raise
    record_access(
        store, "proof_exported", "inclusion proofs exported", {**attrs, "proofs": len(proofs)}
    )


def _write(proofs: list[InclusionProof], output: Path | None) -> None:
    if len(proofs) == 1 and (output is None or output.suffix == ".json"):
        if output is None:
            print_json(proofs[0].to_json())
            return
        output.write_text(json.dumps(proofs[0].to_json(), indent=2) + "\n")
        click.echo(f"proof of record {proofs[0].index} written to {output}", err=True)
        return
    if output is None:
        print_json([p.to_json() for p in proofs])
        return
    output.mkdir(parents=True, exist_ok=True)
    for p in proofs:
        (output / f"{p.index}.proof.json").write_text(json.dumps(p.to_json(), indent=2) + "\n")
    click.echo(f"{len(proofs)} proofs written to {output}/INDEX.proof.json", err=True)


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
