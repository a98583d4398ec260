"""Checking one sealed segment file against its seal, and saying precisely what changed.

The file's SHA-256 must equal the sealed one; the index column must run ``first_index, +1, ...``;
the Merkle root recomputed from the envelope columns must equal the sealed root. When something
differs, the diagnosis names the record(s): deleted/inserted/reordered/duplicated rows by index,
altered records by the chunk whose root changed (the footer's chunk roots are trusted only after
they fold to the sealed root), or "records intact, derived columns changed".
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
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
    StorageError,
)
from logchain.fileops import FileBytes, map_file
from logchain.schema import ENVELOPE_COLUMNS
from logchain.segment import end_offsets, read_meta
from logchain.statement import SegmentSummary


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

    ``known_hashes`` maps every sealed segment's sha256 to its seal number (to name swaps). The
    file is read once: its SHA-256 and the Parquet decoding both work on the bytes in memory
    (with ``use_threads`` the hash runs on a second thread while the columns decode).
    """
    try:
        data = map_file(path)
    except (FileNotFoundError, IsADirectoryError):
        raise SegmentMissing(seal_index, path) from None
    except OSError as exc:
        raise StorageError(f"cannot read a segment file: {exc.strerror}", path=path) from exc
    scan: _Scan | ValueError | None
    if use_threads:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="logchain-file-hash") as pool:
            pending = pool.submit(_sha256_hex, data)
            scan = _try_scan(data, use_threads)
            actual = pending.result()
    else:
        actual = _sha256_hex(data)
        scan = (
            None if actual in known_hashes and actual != summary.sha256 else _try_scan(data, False)
        )
    if actual != summary.sha256:
        raise _diagnose(seal_index, summary, path, actual, known_hashes, scan, data)
    if not isinstance(scan, _Scan):  # sha matched but unreadable: a writer bug, still a failure
        raise SegmentUnreadable(
            seal_index, path, summary.sha256, actual, detail=str(scan)
        ) from scan
    _check_index(seal_index, summary, path, scan.index)
    _check_root(seal_index, summary, path, scan.leaves, data)
    return SegmentResult(records=summary.count, bytes=summary.size, end_offsets=scan.end_offsets)


def _sha256_hex(data: FileBytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _try_scan(data: FileBytes, use_threads: bool) -> _Scan | ValueError:
    try:
        return _scan(data, use_threads)
    except ValueError as exc:
        return exc


def _diagnose(
    seal_index: int,
    summary: SegmentSummary,
    path: Path,
    actual: str,
    known_hashes: Mapping[str, int],
    scan: _Scan | ValueError | None,
    data: FileBytes,
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
    if not isinstance(scan, _Scan):
        return SegmentUnreadable(
            seal_index, path, summary.sha256, actual, detail=f"cannot be decoded ({scan})"
        )
    try:
        _check_index(seal_index, summary, path, scan.index)
        _check_root(seal_index, summary, path, scan.leaves, data)
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


def _scan(data: FileBytes, use_threads: bool) -> _Scan:
    """Decode the envelope columns: leaf hashes, index column, end offsets per source file.

    With ``use_threads`` row groups are pipelined: a second thread hashes row group i while
    this one decodes row group i + 1 (both release the GIL). Raises ValueError if unreadable.
    """
    try:
        pf = pq.ParquetFile(pa.BufferReader(pa.py_buffer(data)), pre_buffer=False)
        missing = [c for c in ENVELOPE_COLUMNS if c not in pf.schema_arrow.names]
        if missing:
            raise ValueError(f"envelope columns missing: {', '.join(missing)}")
        columns = list(ENVELOPE_COLUMNS)
        groups = range(pf.num_row_groups)
        if use_threads:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="logchain-leaves") as pool:
                pending = [
                    pool.submit(_hash_group, pf.read_row_group(rg, columns=columns))
                    for rg in groups
                ]
                parts = [f.result() for f in pending]
        else:
            parts = [
                _hash_group(pf.read_row_group(rg, columns=columns, use_threads=False))
                for rg in groups
            ]
    except (OSError, pa.ArrowException) as exc:
        raise ValueError(str(exc)) from exc
    ends: dict[tuple[str, int], int] = {}
    for _, _, part_ends in parts:
        for key, end in part_ends.items():
            ends[key] = max(ends.get(key, 0), end)
    index = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.uint64)
    return _Scan(b"".join(p[0] for p in parts), index, ends)


def _hash_group(table: pa.Table) -> tuple[bytes, np.ndarray, dict[tuple[str, int], int]]:
    """Leaf hashes, index column and end offsets of one decoded row group."""
    return leaves.leaf_hashes(table), table.column("index").to_numpy(), end_offsets(table)


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


def _check_root(
    seal_index: int, s: SegmentSummary, path: Path, leaf_blob: bytes, data: FileBytes
) -> None:
    roots = leaves.chunk_roots(leaf_blob, s.chunk_size)
    calculated = leaves.root_from_chunk_roots(roots)
    if calculated.hex() == s.root_hash:
        return
    first, last = s.first_index, s.first_index + s.count - 1
    try:
        footer = read_meta(pa.BufferReader(pa.py_buffer(data))).chunk_roots
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
