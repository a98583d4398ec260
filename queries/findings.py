"""Findings: what a detection run found, one row per finding, written once per run.

A run's findings are one Parquet file ``STORE/findings/<run_id>.parquet`` signed by the run's
receipt (``<run_id>.receipt.json``): the ``findings`` view reads only files whose receipt
verifies and whose SHA-256 the receipt states. ``finding_id`` is derived from the finding's
content (rule, entity, window, evidence), so a replay of the run yields the same ids.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from logchain.fileops import write_once
from logchain.statement import canonical_json

UTC_US = pa.timestamp("us", tz="UTC")

FINDINGS_SCHEMA = pa.schema(
    [  # type: ignore[arg-type]
        ("finding_id", pa.string()),
        ("run_id", pa.string()),
        ("rule_id", pa.string()),
        ("title", pa.string()),
        ("clause", pa.string()),
        ("severity", pa.string()),
        ("window_start", UTC_US),
        ("window_end", UTC_US),
        ("entity", pa.string()),
        ("count", pa.int64()),
        ("evidence", pa.list_(pa.uint64())),
        ("detail", pa.string()),
    ]
)
#: The columns a detection's SELECT returns (the runner adds the rest).
RULE_COLUMNS = ("entity", "window_start", "window_end", "count", "evidence", "detail")
#: Columns left out of the result hash: they name the run, not what was found.
RUN_COLUMNS = ("run_id",)


@dataclass(frozen=True, slots=True)
class RuleIdentity:
    rule_id: str
    title: str
    clause: str
    severity: str


def finding_id(
    rule_id: str, entity: str, start: object, end: object, evidence: Sequence[int]
) -> str:
    """First 16 hex digits of SHA-256 over the finding's canonical content."""
    doc = [rule_id, entity, _iso(start), _iso(end), [int(i) for i in evidence]]
    return hashlib.sha256(canonical_json(doc)).hexdigest()[:16]


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def findings_table(rule: RuleIdentity, run_id: str, result: pa.Table) -> pa.Table:
    """Findings rows for one rule's result (columns :data:`RULE_COLUMNS`)."""
    missing = [c for c in RULE_COLUMNS if c not in result.column_names]
    if missing:
        raise ValueError(f"the detection returns no column(s) {', '.join(missing)}")
    rows = []
    for r in result.select(list(RULE_COLUMNS)).to_pylist():
        evidence = sorted({int(i) for i in (r["evidence"] or []) if i is not None})
        entity = "" if r["entity"] is None else str(r["entity"])
        rows.append(
            {
                "finding_id": finding_id(
                    rule.rule_id, entity, r["window_start"], r["window_end"], evidence
                ),
                "run_id": run_id,
                "rule_id": rule.rule_id,
                "title": rule.title,
                "clause": rule.clause,
                "severity": rule.severity,
                "window_start": r["window_start"],
                "window_end": r["window_end"],
                "entity": entity,
                "count": None if r["count"] is None else int(r["count"]),
                "evidence": evidence,
                "detail": None if r["detail"] is None else str(r["detail"]),
            }
        )
    return pa.Table.from_pylist(rows, schema=FINDINGS_SCHEMA)


def sort_findings(table: pa.Table) -> pa.Table:
    """Findings in a stable order: severity rank, rule, window start, entity, id."""
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    ranks = [rank.get(str(s), 9) for s in table.column("severity").to_pylist()]
    keyed = table.append_column("_rank", pa.array(ranks, pa.int32()))
    order = keyed.sort_by(
        [
            ("_rank", "ascending"),
            ("rule_id", "ascending"),
            ("window_start", "ascending"),
            ("entity", "ascending"),
            ("finding_id", "ascending"),
        ]
    )
    return order.drop_columns(["_rank"])


def write_findings(table: pa.Table, path: Path) -> None:
    """Write the run's findings once (refuses to overwrite). Raises StorageError."""
    buf = io.BytesIO()
    pq.write_table(table.cast(FINDINGS_SCHEMA), buf, compression="zstd")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_once(path, buf.getvalue(), mode=0o444)


def read_findings(paths: Sequence[Path]) -> pa.Table:
    """All findings in ``paths`` (already verified by the caller)."""
    if not paths:
        return FINDINGS_SCHEMA.empty_table()
    return pa.concat_tables([pq.read_table(p).cast(FINDINGS_SCHEMA) for p in paths])


def evidence_of(paths: Sequence[Path], finding: str) -> list[int] | None:
    """The evidence record indices of finding ``finding`` (None if no file holds it)."""
    table = read_findings(paths)
    for row in table.select(["finding_id", "evidence"]).to_pylist():
        if row["finding_id"] == finding:
            return [int(i) for i in row["evidence"] or []]
    return None
