"""Creating a store: the manifest and seal 0 (genesis), signed and timestamped."""

from __future__ import annotations

from pathlib import Path

from logchain.fileops import write_once
from logchain.statement import SealKind, SealStatement
from logchain.store import Manifest, Store
from logchain.types import Clock, Sealer, format_ns
from logchain.writer import writer_info


def write_genesis(store: Store, sealer: Sealer, clock: Clock) -> Path:
    """Seal 0 of a new store (the store must exist with its manifest and no seals).

    Raises SealingError if signing or timestamping fails (then no seal file exists).
    """
    manifest: Manifest = store.manifest()
    stmt = SealStatement(
        log_id=manifest.log_id,
        seal_index=0,
        kind=SealKind.GENESIS,
        prev_statement_sha256=None,
        sealed_at=format_ns(clock.now_ns()),
        seal_interval_s=manifest.seal_interval_s,
        next_index=0,
        clock=clock.state(),
        writer=writer_info(),
    )
    bundle = sealer.seal(stmt.to_payload())
    path = store.seal_path(0)
    write_once(path, bundle)
    return path
