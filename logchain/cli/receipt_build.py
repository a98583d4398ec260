"""Assembling a receipt from a query session: what ran, on which seals, with which software."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb

from logchain import __version__
from logchain.cli.query_session import Session
from queries.canonical import ENCODING
from queries.receipt import FileRef, QuerySpec, Receipt, ReceiptKind, ResultRef


def software_versions() -> dict[str, str]:
    return {"duckdb": duckdb.__version__, "logchain": __version__, "encoding": ENCODING}


def build_receipt(
    kind: ReceiptKind,
    session: Session,
    queries: Sequence[QuerySpec],
    *,
    result_sha256: str,
    rows: int,
    result_file: FileRef | None,
    run_id: str = "",
) -> Receipt:
    return Receipt(
        kind=kind,
        run_id=run_id,
        log_id=session.log_id,
        created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        window=session.inputs.window,
        queries=tuple(queries),
        segments=session.segments,
        findings_inputs=session.findings,
        thresholds=session.thresholds,
        versions=software_versions(),
        result=ResultRef(sha256=result_sha256, rows=rows, file=result_file),
        seals_through=session.seals_through,
    )
