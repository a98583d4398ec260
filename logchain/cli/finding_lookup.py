"""Finding ids to evidence record indices, from findings files whose receipts verify."""

from __future__ import annotations

from logchain.cli.receipts import verified_findings
from logchain.cli.wiring import store_verifier
from logchain.errors import UsageError
from logchain.store import Store
from queries.findings import evidence_of


def finding_evidence(store: Store, finding_id: str) -> list[int]:
    """The evidence indices of ``finding_id``. Raises UsageError if no run found it."""
    files = [p for p, _ in verified_findings(store, store_verifier(store))]
    evidence = evidence_of(files, finding_id)
    if evidence is None:
        raise UsageError(
            f"no finding {finding_id!r} in this store",
            hint="`logchain detect` prints finding ids; `logchain sql ... 'SELECT * FROM "
            "findings'` lists them all.",
        )
    return evidence
