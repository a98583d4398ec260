"""`logchain replay RECEIPT`: re-run a signed query or detect run on the data its seals pin.

Either the result hash is reproduced exactly, or the command fails (exit 1) saying precisely
what differs: a segment missing or changed, a seal that differs, a findings or thresholds input
that changed, the software versions, and which result rows were lost or gained.
"""

from __future__ import annotations

from pathlib import Path

import click

from logchain.catalog import verified_catalog
from logchain.cli._common import open_store, print_json, store_option
from logchain.cli.audit import record_access
from logchain.cli.receipt_build import software_versions
from logchain.cli.receipts import findings_dir, read_receipt
from logchain.cli.thresholds_store import admin_verifier, thresholds_dir, verify_change
from logchain.cli.wiring import store_verifier, trust_verifier
from logchain.errors import IntegrityError, LogchainError, ReplayMismatch
from logchain.fileops import file_sha256
from logchain.statement import statement_hash
from logchain.store import Store
from logchain.types import SealVerifier
from queries.canonical import diff_rows, result_hash
from queries.connection import QueryInputs, connect, run_query
from queries.export import Result, read_result
from queries.receipt import Receipt
from queries.runner import rerun_specs, result_without_run
from queries.thresholds import Thresholds

MAX_ROWS_SHOWN = 20


@click.command("replay")
@click.argument(
    "receipt_path", metavar="RECEIPT", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@store_option
@click.option(
    "--trust",
    "trust_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Trust material to check the receipt and seals with (default: the store's).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report.")
def replay_cmd(receipt_path: Path, store_path: Path, trust_dir: Path | None, as_json: bool) -> None:
    """Re-run RECEIPT against the same sealed segments (a store or an evidence copy of it)."""
    store = open_store(store_path)
    verifier = trust_verifier(trust_dir) if trust_dir else store_verifier(store)
    attrs: dict[str, object] = {"receipt": str(receipt_path)}
    try:
        receipt = read_receipt(receipt_path, verifier)
        attrs.update(kind=receipt.kind, result_sha256=receipt.result.sha256)
        notes = _version_notes(receipt)
        problems = check_inputs(store, receipt, verifier)
        if problems:
            raise ReplayMismatch(receipt_path, problems + notes)
        table = rerun(store, receipt, verifier, trust_dir or store.trust_dir)
        replayed = result_hash(table)
        if replayed != receipt.result.sha256:
            rows = _row_problems(receipt, receipt_path, store, table)
            raise ReplayMismatch(
                receipt_path,
                [
                    f"result sha256 signed {receipt.result.sha256}, replay gives {replayed}",
                    *rows,
                    *notes,
                ],
            )
    except LogchainError as exc:
        attrs.update(outcome="failure", error=exc.message)
        record_access(store, "replay_run", "receipt replay failed", attrs)
        raise
    attrs.update(outcome="success", rows=receipt.result.rows)
    record_access(store, "replay_run", "receipt replayed", attrs)
    report = {
        "ok": True,
        "kind": receipt.kind,
        "result_sha256": replayed,
        "rows": receipt.result.rows,
        "segments": len(receipt.segments),
        "notes": notes,
    }
    if as_json:
        print_json(report)
        return
    click.echo(
        f"OK: reproduced {receipt.kind} result sha256 {replayed} ({receipt.result.rows} rows) "
        f"from {len(receipt.segments)} sealed segments"
    )
    for note in notes:
        click.echo(f"  note: {note}")


def _version_notes(receipt: Receipt) -> list[str]:
    now = software_versions()
    return [
        f"{name} version differs: receipt {receipt.versions.get(name)}, here {now[name]}"
        for name in ("duckdb", "logchain", "encoding")
        if receipt.versions.get(name) != now[name]
    ]


def check_inputs(store: Store, receipt: Receipt, verifier: SealVerifier) -> list[str]:
    """Every way the store's data differs from what the receipt pins (empty: identical)."""
    out: list[str] = []
    if receipt.log_id != store.manifest().log_id:
        out.append(
            f"the receipt is for log {receipt.log_id}, the store is {store.manifest().log_id}"
        )
    for ref in receipt.segments:
        seal = store.seal_path(ref.seal_index)
        if not seal.is_file():
            out.append(f"seal {ref.seal_index} is missing ({seal})")
            continue
        try:
            payload = verifier.verify(seal.read_bytes(), seal_index=ref.seal_index).payload
        except IntegrityError as exc:
            out.append(f"seal {ref.seal_index} does not verify: {exc.message}")
            continue
        actual = statement_hash(payload).hex()
        if actual != ref.statement_sha256:
            out.append(
                f"seal {ref.seal_index} differs: statement sha256 signed {ref.statement_sha256}, "
                f"store has {actual}"
            )
        segment = store.segment_path(ref.seal_index)
        if not segment.is_file():
            out.append(f"segment of seal {ref.seal_index} is missing ({segment})")
        elif (sha := file_sha256(segment)) != ref.segment_sha256:
            out.append(
                f"segment {segment.name} changed: sha256 sealed {ref.segment_sha256}, "
                f"file has {sha}"
            )
    for f in receipt.findings_inputs:
        out.extend(_file_problem(findings_dir(store) / f.name, f.sha256, "findings file"))
    if receipt.thresholds is not None:
        path = thresholds_dir(store) / receipt.thresholds.name
        out.extend(_file_problem(path, receipt.thresholds.sha256, "thresholds file"))
    return out


def _file_problem(path: Path, sha256: str, what: str) -> list[str]:
    if not path.is_file():
        return [f"{what} {path.name} is missing ({path})"]
    actual = file_sha256(path)
    if actual != sha256:
        return [f"{what} {path.name} changed: sha256 signed {sha256}, file has {actual}"]
    return []


def rerun(store: Store, receipt: Receipt, verifier: SealVerifier, trust: Path) -> Result:
    """The result of the receipt's queries on exactly the inputs it names (run id removed)."""
    wanted = {s.seal_index for s in receipt.segments}
    catalog = verified_catalog(store, verifier, keep=lambda st: st.seal_index in wanted)
    thresholds: Thresholds | None = None
    if receipt.thresholds is not None:
        path = thresholds_dir(store) / receipt.thresholds.name
        thresholds = verify_change(path.read_bytes(), admin_verifier(trust)).thresholds
    inputs = QueryInputs(
        segments=catalog.segments,
        seals=[s for s in catalog.seals if s.seal_index <= receipt.seals_through],
        findings=[findings_dir(store) / f.name for f in receipt.findings_inputs],
        thresholds=thresholds,
        window=receipt.window,
    )
    con = connect(inputs)
    try:
        if receipt.kind == "sql":
            spec = receipt.queries[0]
            return run_query(con, spec.sql, dict(spec.params))
        return result_without_run(rerun_specs(con, receipt.queries, run_id=receipt.run_id))
    finally:
        con.close()


def _row_problems(receipt: Receipt, receipt_path: Path, store: Store, table: Result) -> list[str]:
    ref = receipt.result.file
    if ref is None:
        return ["the receipt keeps no copy of the rows, so which rows differ cannot be shown"]
    folder = findings_dir(store) if receipt.kind == "detect" else receipt_path.parent
    path = folder / ref.name
    problem = _file_problem(path, ref.sha256, "signed result file")
    if problem:
        return problem
    signed = read_result(path)
    if receipt.kind == "detect":
        signed = result_without_run(signed)
    diff = diff_rows(signed, table)
    out = ["the result columns differ"] if diff.header_changed else []
    out += [f"row lost: {r}" for r in diff.missing[:MAX_ROWS_SHOWN]]
    out += [f"row gained: {r}" for r in diff.extra[:MAX_ROWS_SHOWN]]
    hidden = len(diff.missing) + len(diff.extra) - 2 * MAX_ROWS_SHOWN
    if hidden > 0:
        out.append(f"... and {hidden} more rows differ")
    return out
