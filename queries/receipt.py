"""Query receipts: what was asked, of which sealed data, with which software, and the answer's hash.

A receipt is an in-toto Statement (predicate type ``urn:logchain:query-receipt:v1``) whose
subject is the result (its canonical hash, :mod:`queries.canonical`). It is signed and
timestamped by the CLI through the ``Sealer`` port (a Sigstore bundle, like a seal), and checked
through the ``SealVerifier`` port. The queries' full text is embedded, so a replay does not depend
on the rule pack installed later; the seals of every segment read pin the data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from logchain.errors import SealInvalid
from logchain.statement import STATEMENT_TYPE, canonical_json
from queries.window import TimeWindow

PREDICATE_TYPE = "urn:logchain:query-receipt:v1"
ReceiptKind = Literal["sql", "detect"]


@dataclass(frozen=True, slots=True)
class QuerySpec:
    """One statement that ran: a rule (its id) or an analyst query (id ``sql``)."""

    id: str
    sql: str
    params: Mapping[str, object]

    @property
    def sql_sha256(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "sql": self.sql,
            "sql_sha256": self.sql_sha256,
            "params": dict(self.params),
        }


@dataclass(frozen=True, slots=True)
class SegmentRef:
    """A segment the query read, pinned by its seal."""

    seal_index: int
    statement_sha256: str
    root_hash: str
    segment_sha256: str
    first_index: int
    count: int

    def to_json(self) -> dict[str, object]:
        return {
            "seal_index": self.seal_index,
            "statement_sha256": self.statement_sha256,
            "root_hash": self.root_hash,
            "segment_sha256": self.segment_sha256,
            "first_index": self.first_index,
            "count": self.count,
        }


@dataclass(frozen=True, slots=True)
class FileRef:
    """A non-segment input or output file, pinned by its SHA-256 (findings, thresholds)."""

    name: str
    sha256: str

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class ResultRef:
    sha256: str
    rows: int
    file: FileRef | None

    def to_json(self) -> dict[str, object]:
        return {
            "sha256": self.sha256,
            "rows": self.rows,
            "file": None if self.file is None else self.file.to_json(),
        }


@dataclass(frozen=True, slots=True)
class Receipt:
    kind: ReceiptKind
    log_id: str
    created_at: str
    window: TimeWindow
    queries: tuple[QuerySpec, ...]
    segments: tuple[SegmentRef, ...]
    findings_inputs: tuple[FileRef, ...]
    thresholds: FileRef | None
    versions: Mapping[str, str]
    result: ResultRef
    run_id: str = ""
    seals_through: int = -1

    def to_payload(self) -> bytes:
        predicate = {
            "kind": self.kind,
            "run_id": self.run_id,
            "seals_through": self.seals_through,
            "log_id": self.log_id,
            "created_at": self.created_at,
            "window": self.window.to_json(),
            "queries": [q.to_json() for q in self.queries],
            "segments": [s.to_json() for s in self.segments],
            "findings_inputs": [f.to_json() for f in self.findings_inputs],
            "thresholds": None if self.thresholds is None else self.thresholds.to_json(),
            "versions": dict(self.versions),
            "result": self.result.to_json(),
        }
        return canonical_json(
            {
                "_type": STATEMENT_TYPE,
                "subject": [{"name": "result", "digest": {"sha256": self.result.sha256}}],
                "predicateType": PREDICATE_TYPE,
                "predicate": predicate,
            }
        )

    @classmethod
    def from_payload(cls, payload: bytes) -> Receipt:
        """Decode a (verified) receipt statement; raises SealInvalid naming what is wrong."""
        try:
            doc = json.loads(payload)
            if doc.get("predicateType") != PREDICATE_TYPE:
                raise ValueError(f"predicateType {doc.get('predicateType')!r} is not a receipt")
            p: dict[str, Any] = doc["predicate"]
            receipt = cls(
                kind=p["kind"],
                run_id=str(p.get("run_id", "")),
                seals_through=int(p.get("seals_through", -1)),
                log_id=str(p["log_id"]),
                created_at=str(p["created_at"]),
                window=TimeWindow.from_json(p["window"]),
                queries=tuple(
                    QuerySpec(str(q["id"]), str(q["sql"]), dict(q["params"])) for q in p["queries"]
                ),
                segments=tuple(SegmentRef(**s) for s in p["segments"]),
                findings_inputs=tuple(FileRef(**f) for f in p["findings_inputs"]),
                thresholds=None if p["thresholds"] is None else FileRef(**p["thresholds"]),
                versions={str(k): str(v) for k, v in p["versions"].items()},
                result=ResultRef(
                    sha256=str(p["result"]["sha256"]),
                    rows=int(p["result"]["rows"]),
                    file=None if p["result"]["file"] is None else FileRef(**p["result"]["file"]),
                ),
            )
            for q, raw in zip(receipt.queries, p["queries"], strict=True):
                if q.sql_sha256 != raw["sql_sha256"]:
                    raise ValueError(f"query {q.id}: its text does not match its sha256")
            if doc["subject"] != [{"name": "result", "digest": {"sha256": receipt.result.sha256}}]:
                raise ValueError("subject does not name the result hash")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SealInvalid(None, "malformed query receipt", detail=str(exc)) from exc
        return receipt
