"""Hashing a segment on a second thread while Parquet encodes it.

Writing a segment needs three hashes: the records' leaf hashes, their Merkle root (with the
chunk roots) and the file's SHA-256. :class:`SegmentHasher` computes all three on a worker thread:
first the tree (the C helper releases the GIL, so it runs while Parquet encodes on the caller's
thread), then the file hash from the bytes as they are written (:class:`HashingSink` hands them
over), so the file is never read back. The results are the same bytes as hashing sequentially.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from dataclasses import dataclass
from typing import BinaryIO, NoReturn

import pyarrow as pa

from logchain import leaves
from logchain.types import RootHash


@dataclass(frozen=True, slots=True)
class Tree:
    """The Merkle tree summary of a segment's records."""

    root_hash: RootHash
    chunk_roots: bytes


class SegmentHasher:
    """Computes a table's Merkle tree, then the SHA-256 of the bytes fed to :meth:`feed`.

    Use :meth:`tree` and :meth:`file_sha256` to collect the results (they re-raise the worker's
    error, e.g. ValueError for an envelope that cannot be hashed); :meth:`abandon` stops the
    worker when the write fails.
    """

    def __init__(self, table: pa.Table, chunk_size: int) -> None:
        self._table = table
        self._chunk_size = chunk_size
        self._bytes: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()  # None: end of file
        self._tree_ready = threading.Event()
        self._tree: Tree | None = None
        self._sha: str | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="logchain-segment-hash", daemon=True)
        self._thread.start()

    def feed(self, data: bytes) -> None:
        """Queue file bytes (in write order) for the file hash."""
        if data:
            self._bytes.put(data)

    def tree(self) -> Tree:
        """Wait for the Merkle tree; re-raises the worker's error."""
        self._tree_ready.wait()
        if self._tree is None:
            self._reraise()
        return self._tree

    def file_sha256(self) -> str:
        """Signal the end of the file, wait, and return its hex SHA-256."""
        self._bytes.put(None)
        self._thread.join()
        if self._sha is None:
            self._reraise()
        return self._sha

    def abandon(self) -> None:
        """Stop the worker after a failed write (its results are discarded)."""
        self._bytes.put(None)
        self._thread.join()

    def _reraise(self) -> NoReturn:
        if self._error is not None:
            raise self._error
        raise RuntimeError("the segment hasher stopped without a result")

    def _run(self) -> None:
        try:
            blob = leaves.leaf_hashes(self._table)
            roots = leaves.chunk_roots(blob, self._chunk_size)
            self._tree = Tree(leaves.root_from_chunk_roots(roots), roots)
        except BaseException as exc:  # noqa: BLE001 -- not swallowed: tree() re-raises it
            self._error = exc
            self._tree_ready.set()
            self._drain()
            return
        self._tree_ready.set()
        sha = hashlib.sha256()
        while (data := self._bytes.get()) is not None:
            sha.update(data)
        self._sha = sha.hexdigest()

    def _drain(self) -> None:
        while self._bytes.get() is not None:
            pass


class HashingSink:
    """A write-only file object for pyarrow that also hands every write to a hasher.

    Writes are passed on in pieces of at least ``feed_bytes`` (Parquet writes many tiny page
    headers; waking the hashing thread for each would cost more than hashing them).
    Call :meth:`finish` after the Parquet writer is closed so the last bytes are hashed.
    """

    def __init__(self, fh: BinaryIO, hasher: SegmentHasher, *, feed_bytes: int = 1 << 20) -> None:
        self._fh = fh
        self._hasher = hasher
        self._feed_bytes = feed_bytes
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._pos = 0
        self.closed = False

    def write(self, data: bytes | memoryview) -> int:
        chunk = bytes(data)
        self._fh.write(chunk)
        self._pos += len(chunk)
        self._pending.append(chunk)
        self._pending_bytes += len(chunk)
        if self._pending_bytes >= self._feed_bytes:
            self._feed()
        return len(chunk)

    def finish(self) -> None:
        """Hand over the bytes still held back (the footer, at least)."""
        self._feed()

    def _feed(self) -> None:
        if self._pending:
            data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
            self._hasher.feed(data)
            self._pending = []
            self._pending_bytes = 0

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        self.flush()
        self.closed = True

    def writable(self) -> bool:
        return True
