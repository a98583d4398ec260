"""What a query reads: verified segments (pruned by time), verified findings and thresholds.

This is the CLI's half of "only verified data is attached": it verifies every seal (through the
seal cache), hashes each segment file kept by the time window, checks the receipts of findings
files and the signatures of applied thresholds, then hands the paths to ``queries.connection``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from logchain.catalog import Catalog, verified_catalog
from logchain.cli.receipts import verified_findings
from logchain.cli.seal_cache import CachingVerifier
from logchain.cli.state import state_dir
from logchain.cli.thresholds_store import active_thresholds, admin_verifier
from logchain.cli.wiring import store_verifier
from logchain.errors import SegmentAltered, SegmentMissing
from logchain.fileops import file_sha256
from logchain.statement import SealStatement, SegmentSummary
from logchain.store import Store
from logchain.types import SealVerifier
from queries.connection import QueryInputs, connect
from queries.receipt import FileRef, SegmentRef
from queries.window import TimeWindow

HASH_THREADS = 2  # the machines this runs on have two cores


@dataclass(frozen=True, slots=True)
class Session:
    """The verified inputs of one query run, and how they pin the data for a receipt."""

    store: Store
    log_id: str
    inputs: QueryInputs
    segments: tuple[SegmentRef, ...]
    findings: tuple[FileRef, ...]
    thresholds: FileRef | None
    total_segments: int
    seals_through: int


def cached_verifier(store: Store) -> CachingVerifier:
    trust = [store.keyring_path, store.trusted_root_path]
    return CachingVerifier(store_verifier(store), trust, state_dir() / "seal-cache.sqlite")


def verified_segments(store: Store, verifier: SealVerifier, window: TimeWindow) -> Catalog:
    """Every seal verified; the segment files the window keeps hashed, two at a time.

    Same checks as ``verified_catalog(keep=window.keep)`` (SegmentMissing, SegmentAltered), with
    the files hashed by a small thread pool: hashing is what a short query over a large store
    waits for, and hashlib releases the GIL.
    """
    kept: dict[int, SegmentSummary] = {}

    def keep(st: SealStatement) -> bool:
        if st.segment is not None and window.keep(st):
            kept[st.seal_index] = st.segment
        return False  # hashed below

    catalog = verified_catalog(store, verifier, keep=keep)
    with ThreadPoolExecutor(max_workers=HASH_THREADS) as pool:
        paths = list(pool.map(lambda item: _checked(store, *item), sorted(kept.items())))
    return Catalog(tuple(paths), catalog.seals)


def _checked(store: Store, seal_index: int, seg: SegmentSummary) -> Path:
    path = store.segment_path(seal_index)
    if not path.is_file():
        raise SegmentMissing(seal_index, path)
    actual = file_sha256(path)
    if actual != seg.sha256:
        raise SegmentAltered(seal_index, path, seg.sha256, actual)
    return path


def open_session(store: Store, window: TimeWindow, *, with_findings: bool = True) -> Session:
    """Verify and collect the inputs. Raises IntegrityError if anything fails to verify."""
    verifier = cached_verifier(store)
    try:
        catalog = verified_segments(store, verifier, window)
        findings = verified_findings(store, verifier) if with_findings else []
    finally:
        verifier.close()
    kept = {p.name for p in catalog.segments}
    refs = tuple(
        SegmentRef(
            seal_index=s.seal_index,
            statement_sha256=s.statement_sha256,
            root_hash=s.root_hash or "",
            segment_sha256=s.segment_sha256 or "",
            first_index=s.first_index or 0,
            count=s.count or 0,
        )
        for s in catalog.seals
        if s.segment is not None and s.segment in kept
    )
    active = active_thresholds(store, admin_verifier(store.trust_dir))
    inputs = QueryInputs(
        segments=catalog.segments,
        seals=catalog.seals,
        findings=[p for p, _ in findings],
        thresholds=active.thresholds if active else None,
        window=window,
    )
    return Session(
        store=store,
        log_id=store.manifest().log_id,
        inputs=inputs,
        segments=refs,
        findings=tuple(ref for _, ref in findings),
        thresholds=active.ref if active else None,
        total_segments=sum(1 for s in catalog.seals if s.segment is not None),
        seals_through=max((s.seal_index for s in catalog.seals), default=-1),
    )


@contextlib.contextmanager
def session_connection(session: Session) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(session.inputs)
    try:
        yield con
    finally:
        con.close()
