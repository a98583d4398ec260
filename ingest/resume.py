"""Where to resume a source after a restart: its checkpoint entries matched to files on disk.

A checkpoint entry names a file by device, inode and head hash, with the offset up to which its
records are sealed. After a restart the file may still be the live file, or have been renamed
(``auth.log.1``), copied and truncated (copytruncate), or compressed (``auth.log.2.gz``).

1. An entry matches a file with the same device and inode whose head still hashes the same
   (``matched_by = "inode"``); reading resumes at the entry's offset.
2. Otherwise it matches a *copy*: a rotated file whose head hashes the same (copytruncate's copy,
   or the compressed rotation of the file); reading resumes there at the entry's offset.
3. An entry matching nothing is a gap: its file is gone, and unread lines may be lost with it.

When the live file is not the file an entry left off in, rotations happened while logchain was
down: rotated files newer than the matched files were never seen and are read from offset 0.
On a source's first start (no entries) its rotated files are read first only if it asks for a
backlog.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ingest.identity import HEAD_BYTES, checkpoint_matches_head
from ingest.stream import FileReader
from logchain.errors import IngestError
from logchain.statement import SourceCheckpoint

Reason = Literal["resumed", "recovered", "missed_rotation", "backlog"]


@dataclass(slots=True)
class Sibling:
    """A rotated file of a live file (``auth.log.1``, ``auth.log.2.gz``, ``auth.log-20240101``)."""

    path: Path
    st: os.stat_result
    _head: bytes | None = None
    compressed: bool = False

    def head(self) -> bytes | None:
        """The first bytes (decompressed for gzip); None if unreadable."""
        if self._head is None:
            try:
                reader = FileReader(self.path)
            except IngestError:
                return None
            try:
                self._head = reader.head()[:HEAD_BYTES]
                self.compressed = reader.compressed
            finally:
                reader.close()
        return self._head

    def same_inode(self, cp: SourceCheckpoint) -> bool:
        return self.st.st_dev == cp.device and self.st.st_ino == cp.file_id


def list_siblings(live: Path, patterns: Sequence[str]) -> list[Sibling]:
    """Regular files next to ``live`` whose names match a rotation pattern, oldest first."""
    name = live.name
    globs = [p.replace("{name}", glob_escape(name)) for p in patterns]
    try:
        names = os.listdir(live.parent)
    except OSError:
        return []
    out: list[Sibling] = []
    for entry in names:
        if entry == name or not any(fnmatch.fnmatchcase(entry, g) for g in globs):
            continue
        path = live.parent / entry
        try:
            st = path.stat()
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            out.append(Sibling(path, st))
    out.sort(key=lambda s: (s.st.st_mtime_ns, s.path.name))
    return out


def glob_escape(text: str) -> str:
    """``text`` with glob characters matched literally."""
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """A rotated file to read to its end before the live file (``device``/``inode``: what the
    path named when planned; it is checked again once the file is open)."""

    path: Path
    device: int
    inode: int
    start: int
    reason: Reason
    entry: SourceCheckpoint | None = None

    @classmethod
    def of(
        cls, sib: Sibling, start: int, reason: Reason, entry: SourceCheckpoint | None = None
    ) -> PlannedFile:
        return cls(sib.path, sib.st.st_dev, sib.st.st_ino, start, reason, entry)


@dataclass(slots=True)
class ResumePlan:
    """What a source reads at start: rotated files (oldest first), then the live file."""

    drain: list[PlannedFile] = field(default_factory=list)
    live_entry: SourceCheckpoint | None = None
    #: Entries whose file was truncated or replaced with no copy found, or is gone.
    lost: list[SourceCheckpoint] = field(default_factory=list)
    #: Entries whose content another entry's file already carries further (left out).
    superseded: list[SourceCheckpoint] = field(default_factory=list)


def plan_resume(
    live: Path,
    entries: Sequence[SourceCheckpoint],
    patterns: Sequence[str],
    *,
    backlog: Callable[[], bool],
) -> ResumePlan:
    """Match ``entries`` (one source's checkpoint) to files; ``backlog()`` is asked only when
    there are no entries, and says whether the rotated files are to be read first."""
    plan = ResumePlan()
    siblings = list_siblings(live, patterns)
    claimed: dict[Path, PlannedFile] = {}
    pending = _match_inodes(plan, live, entries, siblings, claimed)
    _match_copies(plan, pending, siblings, claimed)
    plan.drain = list(claimed.values())
    if entries and plan.live_entry is None and claimed:
        oldest = min(s.st.st_mtime_ns for s in siblings if s.path in claimed)
        plan.drain += [
            PlannedFile.of(s, 0, "missed_rotation")
            for s in siblings
            if s.path not in claimed and s.st.st_mtime_ns > oldest
        ]
    elif not entries and siblings and backlog():
        plan.drain = [PlannedFile.of(s, 0, "backlog") for s in siblings]
    order = {s.path: i for i, s in enumerate(siblings)}
    plan.drain.sort(key=lambda p: order[p.path])
    return plan


def _match_inodes(
    plan: ResumePlan,
    live: Path,
    entries: Sequence[SourceCheckpoint],
    siblings: Sequence[Sibling],
    claimed: dict[Path, PlannedFile],
) -> list[SourceCheckpoint]:
    """Entries still in their own file (live, or renamed); returns the others."""
    live_st, live_head = _live_state(live)
    pending: list[SourceCheckpoint] = []
    for cp in entries:
        if (
            live_st is not None
            and (live_st.st_dev, live_st.st_ino) == (cp.device, cp.file_id)
            and live_st.st_size >= cp.offset
            and checkpoint_matches_head(cp, live_head)
        ):
            plan.live_entry = cp
            continue
        sib = next((s for s in siblings if s.same_inode(cp) and _holds(s, cp)), None)
        if sib is not None and sib.path not in claimed:
            claimed[sib.path] = PlannedFile.of(sib, cp.offset, "resumed", cp)
        else:
            pending.append(cp)
    return pending


def _match_copies(
    plan: ResumePlan,
    pending: Sequence[SourceCheckpoint],
    siblings: Sequence[Sibling],
    claimed: dict[Path, PlannedFile],
) -> None:
    """Entries whose inode no longer holds their content: a copy (copytruncate), a compressed
    rotation, or nothing (a gap)."""
    for cp in pending:
        holders = [s for s in siblings if _holds(s, cp)]
        free = [s for s in holders if s.path not in claimed]
        if free:
            claimed[free[0].path] = PlannedFile.of(free[0], cp.offset, "recovered", cp)
        elif holders:
            plan.superseded.append(cp)
        else:
            plan.lost.append(cp)


def _live_state(live: Path) -> tuple[os.stat_result | None, bytes]:
    try:
        st = live.stat()
        with live.open("rb") as fh:
            return st, fh.read(HEAD_BYTES)
    except OSError:
        return None, b""


def _holds(sib: Sibling, cp: SourceCheckpoint) -> bool:
    """Whether ``sib`` holds the content ``cp`` was read from (head hash, and long enough)."""
    head = sib.head()
    if head is None or not checkpoint_matches_head(cp, head):
        return False
    return sib.compressed or sib.st.st_size >= cp.offset
