"""`logchain detect`: run the rule pack over verified segments; findings, receipt, self-audit.

Exit code 0 whether or not anything was found; non-zero only when the run fails.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import click

from logchain.cli._common import open_store, store_option
from logchain.cli.audit import record_access
from logchain.cli.output import render
from logchain.cli.query_options import make_window, window_options
from logchain.cli.query_session import Session, open_session, session_connection
from logchain.cli.receipt_build import build_receipt
from logchain.cli.receipts import RECEIPT_SUFFIX, findings_dir, sign_receipt
from logchain.cli.wiring import store_sealer
from logchain.errors import LogchainError, UsageError
from queries.canonical import result_hash
from queries.export import Result, rows_of, write_result
from queries.rules import Rule, load_rules
from queries.runner import DetectResult, result_without_run, run_rules

NEXT_STEPS = (
    "next: logchain sql --store STORE 'SELECT * FROM evidence WHERE finding_id = $id' "
    "-p id=FINDING_ID\n      logchain prove --store STORE --finding FINDING_ID -o DIR"
)
TABLE_COLUMNS = ("finding_id", "severity", "clause", "rule_id", "window_start", "entity", "count")


@click.command("detect")
@store_option
@window_options
@click.option("--rule", "rule_ids", multiple=True, metavar="ID", help="Run only this rule.")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="[RULE.]NAME=VALUE",
    help="Override a rule parameter (for every selected rule that has it, without RULE.).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
def detect_cmd(
    store_path: Path,
    since: str | None,
    until: str | None,
    rule_ids: tuple[str, ...],
    params: tuple[str, ...],
    fmt: str,
) -> None:
    """Run the detection rules over the sealed logs and record the findings with a receipt."""
    rules = load_rules(rule_ids)
    overrides = parse_overrides(rules, params)
    window = make_window(since, until)
    store = open_store(store_path)
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + secrets.token_hex(4)
    attrs: dict[str, object] = {
        "run_id": run_id,
        "rules": [r.id for r in rules],
        **window.to_json(),
    }
    started = time.perf_counter()
    try:
        session = open_session(store, window, with_findings=False)
        with session_connection(session) as con:
            result = run_rules(con, rules, overrides, run_id=run_id)
        receipt_file = _save(session, result, run_id)
    except LogchainError as exc:
        attrs.update(outcome="failure", error=exc.message)
        record_access(store, "detect_run", "detection run failed", attrs)
        raise
    attrs.update(
        outcome="success",
        findings=result.findings.num_rows,
        segments_read=len(session.segments),
        receipt=str(receipt_file),
        seconds=round(time.perf_counter() - started, 3),
    )
    record_access(store, "detect_run", "detection rules run", attrs)
    _print(result.findings, fmt)
    click.echo(
        f"{result.findings.num_rows} findings from {len(rules)} rules over "
        f"{len(session.segments)} of {session.total_segments} sealed segments; run {run_id}\n"
        f"receipt: {receipt_file}\n{NEXT_STEPS}",
        err=True,
    )


def parse_overrides(rules: Sequence[Rule], params: Sequence[str]) -> dict[str, dict[str, str]]:
    """``RULE.NAME=VALUE`` or ``NAME=VALUE`` (every selected rule declaring NAME)."""
    out: dict[str, dict[str, str]] = {}
    for p in params:
        key, sep, value = p.partition("=")
        if not sep or not key:
            raise UsageError(f"parameter {p!r} is not [RULE.]NAME=VALUE")
        rule_id, dot, name = key.rpartition(".")
        targets = [r for r in rules if (r.id == rule_id if dot else True)]
        targets = [r for r in targets if any(q.name == name for q in r.params)]
        if not targets:
            raise UsageError(
                f"no selected rule has a parameter {key!r}",
                hint="`logchain detect --help` and docs/DETECTIONS.md list each rule's parameters.",
            )
        for r in targets:
            out.setdefault(r.id, {})[name] = value
    return out


def _save(session: Session, result: DetectResult, run_id: str) -> Path:
    d = findings_dir(session.store)
    d.mkdir(exist_ok=True)
    file_ref = write_result(result.findings, d / f"{run_id}.parquet")
    receipt = build_receipt(
        "detect",
        session,
        result.specs,
        result_sha256=result_hash(result_without_run(result.findings)),
        rows=result.findings.num_rows,
        result_file=file_ref,
        run_id=run_id,
    )
    path = d / f"{run_id}{RECEIPT_SUFFIX}"
    sign_receipt(receipt, store_sealer(session.store), path)
    return path


def _print(findings: Result, fmt: str) -> None:
    columns, rows = rows_of(findings)
    if fmt != "table":
        render(columns, rows, fmt)
        return
    keep = [columns.index(c) for c in TABLE_COLUMNS]
    ev = columns.index("evidence")
    shown = [(*(r[i] for i in keep), _short(r[ev])) for r in rows]
    render([*TABLE_COLUMNS, "evidence"], shown, fmt)


def _short(evidence: object) -> str:
    items = list(evidence) if isinstance(evidence, list | tuple) else []
    head = ", ".join(str(i) for i in items[:5])
    return head + (f" … (+{len(items) - 5})" if len(items) > 5 else "")
