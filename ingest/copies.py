"""Where a copied-and-truncated file's bytes went when its head is too short to tell.

A file is known by device, inode and the hash of its first bytes (:mod:`ingest.identity`). With
:data:`~ingest.identity.HEAD_BYTES` bytes that identity is strong. Before, the known head may be
a prefix that every generation of a copytruncate-rotated file begins with (``b""`` for a file
seen empty, ``b"app seq="`` ...): after the file was copied, truncated and written again, the
live file's head still "matches", and the copy -- which holds the bytes not read yet -- would be
passed over.

So for a *weak* identity the rotated files are searched for a copy of it made since the file
was last seen to be ours (``since_ns``, a time on the clock file times are taken from): a copy
whose head matches the known head but that the live file cannot be the continuation of (the
live file is shorter, or its bytes differ). Rotated files this source has read itself (same
inode, same head) are never such copies: a renamed file written again late is not one.

The time bound is what keeps an older generation (which also begins with the short head) from
being read twice; docs/CONFIG.md ("What ingest guarantees") says what it cannot tell apart.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence

from ingest.identity import HEAD_BYTES, FileIdentity, head_matches
from ingest.siblings import Sibling

#: Linux's coarse real-time clock: the clock file modification times are taken from.
_CLOCK_REALTIME_COARSE = 5


def file_clock_ns() -> int:
    """Now, on the clock the kernel stamps file times with (coarse: it may lag by a tick), so
    that a file modified after this call never shows an earlier mtime."""
    try:
        return time.clock_gettime_ns(_CLOCK_REALTIME_COARSE)
    except OSError:  # not Linux: the fine clock (a copy made within a tick may be missed)
        return time.time_ns()


def is_weak(identity: FileIdentity) -> bool:
    """Whether the identity covers fewer than HEAD_BYTES bytes (other files may share them)."""
    return identity.fingerprint_len < HEAD_BYTES


def not_continued_by(sib: Sibling, live_head: bytes, live_size: int | None) -> bool:
    """Whether the live file (``live_head``, ``live_size``) cannot be ``sib``'s content grown
    further: shorter than the copy, or other bytes where both have some."""
    head = sib.head()
    if head is None:
        return False
    n = min(len(head), len(live_head))
    if head[:n] != live_head[:n]:
        return True
    return not sib.compressed and live_size is not None and live_size < sib.st.st_size


def copies_since(
    identity: FileIdentity,
    siblings: Sequence[Sibling],
    since_ns: int,
    live_head: bytes,
    live_size: int | None,
    known: Callable[[Sibling], bool] = lambda _s: False,
) -> list[Sibling]:
    """Rotated files (oldest first) that are copies of the file ``identity`` describes made at
    or after ``since_ns``, which the live file does not continue; see the module docstring."""
    out = []
    for sib in siblings:
        if (sib.st.st_dev, sib.st.st_ino) == (identity.device, identity.inode):
            continue
        if sib.st.st_mtime_ns < since_ns or known(sib):
            continue
        head = sib.head()
        if head is None or not head_matches(head, identity.fingerprint, identity.fingerprint_len):
            continue
        if not_continued_by(sib, live_head, live_size):
            out.append(sib)
    return out


class KnownFiles:
    """The files a source has opened (device, inode -> identity), the newest ``limit`` kept."""

    def __init__(self, limit: int = 1024) -> None:
        self.limit = limit
        self._files: dict[tuple[int, int], FileIdentity] = {}

    def add(self, identity: FileIdentity) -> None:
        key = (identity.device, identity.inode)
        self._files.pop(key, None)
        self._files[key] = identity
        if len(self._files) > self.limit:
            del self._files[next(iter(self._files))]

    def __call__(self, sib: Sibling) -> bool:
        """Whether ``sib`` is a file the source opened (same inode, and its head still begins
        with the bytes seen then: a reused inode is another file)."""
        ident = self._files.get((sib.st.st_dev, sib.st.st_ino))
        head = sib.head()
        return (
            ident is not None
            and head is not None
            and head_matches(head, ident.fingerprint, ident.fingerprint_len)
        )


def live_state(path: os.PathLike[str] | str) -> tuple[os.stat_result | None, bytes]:
    """The live file's stat and first bytes ((None, b"") if it cannot be read)."""
    try:
        st = os.stat(path)
        with open(path, "rb") as fh:
            return st, fh.read(HEAD_BYTES)
    except OSError:
        return None, b""
