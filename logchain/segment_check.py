"""Checking one sealed segment file against its seal, and saying precisely what changed.

The file's SHA-256 must equal the sealed one; the index column must run ``first_index, +1, ...``;
the Merkle root recomputed from the envelope columns must equal the sealed root. When something
differs, the diagnosis names the record(s): deleted/inserted/reordered/duplicated rows by index,
altered records by the chunk whose root changed (the footer's chunk roots are trusted only after
they fold to the sealed root), or "records intact, derived columns changed".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from logchain import leaves
from logchain.errors import (
    IndexDiscontinuity,
    IntegrityError,
    RecordKind,
    RootMismatch,
    SegmentAltered,
    SegmentMissing,
    SegmentUnreadable,
)
from logchain.fileops import file_sha256
from logchain.schema import ENVELOPE_COLUMNS
from logchain.segment import end_offsets, read_meta
from logchain.statement import SegmentSummary

BATCH_ROWS = 128 * 1024


@dataclass(frozen=True, slots=True)
class SegmentResult:
    """A segment that verified: its records' end offsets per (source, file_id)."""

    records: int
    bytes: int
    end_offsets: Mapping[tuple[str, int], int]


@dataclass(slots=True)
class _Scan:
    leaves: bytes
    index: np.ndarray
    end_offsets: dict[tuple[str, int], int]


def check_segment(
    seal_index: int,
    summary: SegmentSummary,
    path: Path,
    *,
    known_hashes: Mapping[str, int],
    use_threads: bool = True,
) -> SegmentResult:
    """Verify ``path`` against ``summary``; raises the most specific IntegrityError.

    ``known_hashes`` maps every sealed segment's sha256 to its seal number (to name swaps).
    """
    if not path.is_file():
        raise SegmentMissing(seal_index, path)
    actual = file_sha256(path)
    if actual != summary.sha256:
        raise _diagnose(seal_index, summary, path, actual, known_hashes, use_threads)
    try:
        scan = _scan(path, use_threads)
    except ValueError as exc:  # sha matched but unreadable: a writer bug, still a failure
        raise SegmentUnreadable(seal_index, path, summary.sha256, actual, detail=str(exc)) from exc
    _check_index(seal_index, summary, path, scan.index)
    _check_root(seal_index, summary, path, scan.leaves)
    return SegmentResult(records=summary.count, bytes=summary.size, end_offsets=scan.end_offsets)


def _diagnose(
    seal_index: int,
    summary: SegmentSummary,
    path: Path,
    actual: str,
    known_hashes: Mapping[str, int],
    use_threads: bool,
) -> IntegrityError:
    other = known_hashes.get(actual)
    if other is not None:
        return SegmentAltered(
            seal_index,
            path,
            summary.sha256,
            actual,
            detail=f"the file is a copy of the segment of seal {other} (swapped or replayed)",
        )
    try:
        scan = _scan(path, use_threads)
    except ValueError as exc:
        return SegmentUnreadable(
            seal_index, path, summary.sha256, actual, detail=f"cannot be decoded ({exc})"
        )
    try:
        _check_index(seal_index, summary, path, scan.index)
        _check_root(seal_index, summary, path, scan.leaves)
    except IntegrityError as exc:
        return exc
    return SegmentAltered(
        seal_index,
        path,
        summary.sha256,
        actual,
        detail="the records' envelopes are intact (Merkle root matches); derived columns or "
        "file metadata were changed",
    )


def _scan(path: Path, use_threads: bool) -> _Scan:
    """Stream the envelope columns: leaf hashes, index column, end offsets per source file."""
    try:
        pf = pq.ParquetFile(path)
        missing = [c for c in ENVELOPE_COLUMNS if c not in pf.schema_arrow.names]
        if missing:
            raise ValueError(f"envelope columns missing: {', '.join(missing)}")
        parts: list[bytes] = []
        idx_parts: list[np.ndarray] = []
        ends: dict[tuple[str, int], int] = {}
        for batch in pf.iter_batches(
            batch_size=BATCH_ROWS, columns=list(ENVELOPE_COLUMNS), use_threads=use_threads
        ):
            table = pa.Table.from_batches([batch])
            parts.append(leaves.leaf_hashes(table))
            idx_parts.append(table.column("index").to_numpy())
            _merge_ends(ends, table)
    except (OSError, pa.ArrowException) as exc:
        raise ValueError(str(exc)) from exc
    index = np.concatenate(idx_parts) if idx_parts else np.zeros(0, dtype=np.uint64)
    return _Scan(b"".join(parts), index, ends)


def _merge_ends(ends: dict[tuple[str, int], int], table: pa.Table) -> None:
    for key, end in end_offsets(table).items():
        ends[key] = max(ends.get(key, 0), end)


def _check_index(seal_index: int, s: SegmentSummary, path: Path, idx: np.ndarray) -> None:
    first, count = s.first_index, s.count
    n = len(idx)
    if n == count and np.array_equal(idx, np.arange(first, first + count, dtype=np.uint64)):
        return
    outside = np.nonzero((idx < first) | (idx >= first + count))[0]
    if len(outside):
        r = int(outside[0])
        raise IndexDiscontinuity(seal_index, path, RecordKind.INSERTED, int(idx[r]), r, int(idx[r]))
    expected = np.arange(first, first + min(n, count), dtype=np.uint64)
    diff = np.nonzero(idx[: len(expected)] != expected)[0]
    if len(diff) == 0:
        if n < count:  # a clean prefix: the tail rows are gone
            raise IndexDiscontinuity(seal_index, path, RecordKind.DELETED, first + n, n, -1)
        r = count  # more rows than sealed, all in range: the extra ones repeat indices
        raise IndexDiscontinuity(
            seal_index, path, RecordKind.DUPLICATED, int(idx[r]), r, int(idx[r])
        )
    r = int(diff[0])
    value, want = int(idx[r]), first + r
    present = set(idx.tolist())
    if value in set(idx[:r].tolist()):
        kind, index = RecordKind.DUPLICATED, value
    elif want not in present:
        kind, index = RecordKind.DELETED, want
    else:
        kind, index = RecordKind.REORDERED, want
    raise IndexDiscontinuity(seal_index, path, kind, index, r, value)


def _check_root(seal_index: int, s: SegmentSummary, path: Path, leaf_blob: bytes) -> None:
    roots = leaves.chunk_roots(leaf_blob, s.chunk_size)
    calculated = leaves.root_from_chunk_roots(roots)
    if calculated.hex() == s.root_hash:
        return
    first, last = s.first_index, s.first_index + s.count - 1
    try:
        footer = read_meta(path).chunk_roots
    except ValueError:
        footer = b""
    if (
        footer
        and leaves.root_from_chunk_roots(footer).hex() == s.root_hash
        and len(footer) == len(roots)
    ):
        for c in range(len(roots) // 32):
            if roots[c * 32 : (c + 1) * 32] != footer[c * 32 : (c + 1) * 32]:
                first = s.first_index + c * s.chunk_size
                last = min(first + s.chunk_size, s.first_index + s.count) - 1
                break
    raise RootMismatch(
        seal_index, path, s.root_hash, calculated.hex(), first_index=first, last_index=last
    )
