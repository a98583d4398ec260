"""Helpers for detection tests: sealed stores from rows or real samples, and rule runs.

Rows are written with a real LogWriter (real keys, real local TSA, real Parquet) and read back
through the same verified catalog and DuckDB connection the CLI uses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from logchain.cli.query_session import open_session
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import SystemClock
from logchain.record import RecordFlag
from logchain.segment import RecordBatch
from logchain.store import Store
from logchain.writer import LogWriter, SegmentLimits
from queries.connection import connect
from queries.rules import load_rules
from queries.runner import run_rule
from queries.thresholds import Thresholds
from queries.window import TimeWindow

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC

Derived = dict[str, list[object]]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def rows_batch(source: str, rows: Sequence[Mapping[str, object]]) -> RecordBatch:
    """One record per row: raw is the row as JSON, the derived columns are the row's keys."""
    n = len(rows)
    derived: Derived = {"parser": ["test"] * n, "parser_version": ["1"] * n}
    keys = sorted({k for r in rows for k in r})
    for k in keys:
        derived[k] = [r.get(k) for r in rows]
    if "attrs" in derived:
        derived["attrs"] = [None if a is None else json.dumps(a) for a in derived["attrs"]]
    raw = [json.dumps(r, default=str, sort_keys=True).encode() for r in rows]
    offsets = [0] * n
    pos = 0
    for i, line in enumerate(raw):
        offsets[i] = pos
        pos += len(line) + 1
    return RecordBatch(
        source=[source] * n,
        source_file_id=[1] * n,
        source_offset=offsets,
        raw=raw,
        flags=[int(RecordFlag.NONE)] * n,
        derived=derived,
    )


def write_batches(store: Store, batches: Iterable[RecordBatch]) -> Store:
    """Seal each batch as its own segment in one writer session."""
    writer = LogWriter(
        store,
        store_sealer(store),
        store_verifier(store),
        SystemClock(),
        limits=SegmentLimits(max_records=10**9),
        command="test",
    )
    with writer:
        for batch in batches:
            writer.append(batch)
            writer.flush()
    return store


def write_rows(
    store: Store, rows: Sequence[Mapping[str, object]], source: str = "test.log"
) -> Store:
    return write_batches(store, [rows_batch(source, rows)])


def sample_batch(path: Path, normalise: Callable[[list[bytes]], Derived]) -> RecordBatch:
    """A real sample file as records: raw lines byte-exact, derived by ``normalise``."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    derived = normalise([line.rstrip(b"\r") for line in lines])
    n = len(lines)
    return RecordBatch(
        source=[path.name] * n,
        source_file_id=[1] * n,
        source_offset=offsets,
        raw=lines,
        flags=[int(RecordFlag.NONE)] * n,
        derived=derived,
    )


def findings(
    store: Store,
    rule_id: str,
    *,
    window: TimeWindow | None = None,
    thresholds: Thresholds | None = None,
    **params: object,
) -> list[dict[str, object]]:
    """Findings of one rule on ``store`` (real verified catalog, real DuckDB)."""
    (rule,) = load_rules([rule_id])
    session = open_session(store, window or TimeWindow(), with_findings=False)
    inputs = session.inputs
    if thresholds is not None:
        from dataclasses import replace

        inputs = replace(inputs, thresholds=thresholds)
    con = connect(inputs)
    try:
        table = run_rule(con, rule, rule.bind({k: v for k, v in params.items()}), run_id="t")  # type: ignore[misc]
    finally:
        con.close()
    return table.to_pylist()


def by_entity(found: Iterable[Mapping[str, object]]) -> dict[str, Mapping[str, object]]:
    return {str(f["entity"]): f for f in found}
