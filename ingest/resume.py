"""Where to resume a source after a restart: its checkpoint entries matched to files on disk.

A checkpoint entry names a file by device, inode and head hash, with the offset up to which its
records are sealed. After a restart the file may still be the live file, or have been renamed
(``auth.log.1``), copied and truncated (copytruncate), or compressed (``auth.log.2.gz``).

1. An entry matches a file with the same device and inode whose head still hashes the same
   (``matched_by = "inode"``); reading resumes at the entry's offset.
2. Otherwise it matches a *copy*: a rotated file whose head hashes the same (copytruncate's copy,
   or the compressed rotation of the file); reading resumes there at the entry's offset.
3. An entry matching nothing is a gap: its file is gone, and unread lines may be lost with it.

An entry whose head is shorter than HEAD_BYTES (a file seen empty or nearly so) may "match" a
later generation of a copytruncated file; ``since(entry)`` (when it was last sealed changed)
lets :mod:`ingest.copies` find the copy made after it, which then wins over the live file.

When the live file is not the file an entry left off in, rotations happened while logchain was
down: rotated files newer than the matched files were never seen and are read from offset 0.
On a source's first start (no entries) its rotated files are read first only if it asks for a
backlog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ingest.copies import copies_since, is_weak, live_state
from ingest.identity import FileIdentity, checkpoint_matches_head
from ingest.siblings import Sibling, list_siblings
from logchain.statement import SourceCheckpoint

Reason = Literal["resumed", "recovered", "missed_rotation", "backlog"]


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


#: When a checkpoint entry's file was last seen to be ours (file-clock ns), or None if unknown.
SinceFn = Callable[[SourceCheckpoint], "int | None"]


def _unknown(_cp: SourceCheckpoint) -> int | None:
    return None


def plan_resume(
    live: Path,
    entries: Sequence[SourceCheckpoint],
    patterns: Sequence[str],
    *,
    backlog: Callable[[], bool],
    since: SinceFn = _unknown,
) -> ResumePlan:
    """Match ``entries`` (one source's checkpoint) to files; ``backlog()`` is asked only when
    there are no entries, and says whether the rotated files are to be read first.

    ``since(entry)`` bounds the search for copies of an entry with a weak identity (see
    :mod:`ingest.copies`): only rotated files modified since then can be its copy.
    """
    plan = ResumePlan()
    siblings = list_siblings(live, patterns)
    claimed: dict[Path, PlannedFile] = {}
    pending = _match_inodes(plan, live, entries, siblings, claimed, since)
    _match_copies(plan, pending, siblings, claimed, since)
    plan.drain = list(claimed.values())
    if entries and plan.live_entry is None and claimed:
        plan.drain += _missed(siblings, claimed)
    elif not entries and siblings and backlog():
        plan.drain = [PlannedFile.of(s, 0, "backlog") for s in siblings]
    _order(plan, siblings)
    return plan


def plan_truncated(
    live: Path,
    entry: SourceCheckpoint,
    patterns: Sequence[str],
    *,
    since_ns: int | None,
    known: Callable[[Sibling], bool],
) -> ResumePlan:
    """The live file ``entry`` describes was truncated (or copied and truncated) under the
    tailer: its copy to finish from ``entry.offset`` and rotated files made after it (read from
    0), oldest first; ``plan.lost`` holds the entry if no copy is found. ``since_ns`` bounds the
    search for a weak identity's copy; files ``known`` to the source are never its copy."""
    plan = ResumePlan()
    siblings = [s for s in list_siblings(live, patterns) if not known(s)]
    claimed: dict[Path, PlannedFile] = {}
    _match_copies(plan, [entry], siblings, claimed, lambda _cp: since_ns)
    plan.drain = list(claimed.values()) + _missed(siblings, claimed)
    _order(plan, siblings)
    return plan


def _order(plan: ResumePlan, siblings: Sequence[Sibling]) -> None:
    order = {s.path: i for i, s in enumerate(siblings)}
    plan.drain.sort(key=lambda p: order[p.path])


def _missed(siblings: Sequence[Sibling], claimed: dict[Path, PlannedFile]) -> list[PlannedFile]:
    """Rotated files made after the oldest claimed one that hold other content: rotations that
    happened while nobody looked, read from offset 0."""
    if not claimed:
        return []
    mine = [s for s in siblings if s.path in claimed]
    oldest = min(s.st.st_mtime_ns for s in mine)
    heads = {s.head() for s in mine}
    return [
        PlannedFile.of(s, 0, "missed_rotation")
        for s in siblings
        if s.path not in claimed and s.st.st_mtime_ns > oldest and s.head() not in heads
    ]


def _match_inodes(
    plan: ResumePlan,
    live: Path,
    entries: Sequence[SourceCheckpoint],
    siblings: Sequence[Sibling],
    claimed: dict[Path, PlannedFile],
    since: SinceFn,
) -> list[SourceCheckpoint]:
    """Entries still in their own file (live, or renamed); returns the others."""
    live_st, live_head = live_state(live)
    pending: list[SourceCheckpoint] = []
    for cp in entries:
        if (
            live_st is not None
            and (live_st.st_dev, live_st.st_ino) == (cp.device, cp.file_id)
            and live_st.st_size >= cp.offset
            and checkpoint_matches_head(cp, live_head)
            and not _copied_away(cp, siblings, since, live_head, live_st.st_size)
        ):
            plan.live_entry = cp
            continue
        sib = next((s for s in siblings if s.same_inode(cp) and _holds(s, cp)), None)
        if sib is not None and sib.path not in claimed:
            claimed[sib.path] = PlannedFile.of(sib, cp.offset, "resumed", cp)
        else:
            pending.append(cp)
    return pending


def _copied_away(
    cp: SourceCheckpoint,
    siblings: Sequence[Sibling],
    since: SinceFn,
    live_head: bytes,
    live_size: int,
) -> bool:
    """Whether a weak entry's content was copied away since it was seen (the live file that
    still "matches" it is a later generation)."""
    ident = entry_identity(cp)
    if not is_weak(ident):
        return False
    since_ns = since(cp)
    return since_ns is not None and bool(
        copies_since(ident, siblings, since_ns, live_head, live_size)
    )


def _match_copies(
    plan: ResumePlan,
    pending: Sequence[SourceCheckpoint],
    siblings: Sequence[Sibling],
    claimed: dict[Path, PlannedFile],
    since: SinceFn,
) -> None:
    """Entries whose inode no longer holds their content: a copy (copytruncate), a compressed
    rotation, or nothing (a gap). A weak entry's copy must be modified since it was seen."""
    for cp in pending:
        since_ns = since(cp) if is_weak(entry_identity(cp)) else None
        holders = [
            s
            for s in siblings
            if _holds(s, cp) and (since_ns is None or s.st.st_mtime_ns >= since_ns)
        ]
        free = [s for s in holders if s.path not in claimed]
        if free:
            claimed[free[0].path] = PlannedFile.of(free[0], cp.offset, "recovered", cp)
        elif holders:
            plan.superseded.append(cp)
        else:
            plan.lost.append(cp)


def entry_identity(cp: SourceCheckpoint) -> FileIdentity:
    """The identity a checkpoint entry records."""
    return FileIdentity(cp.device, cp.file_id, cp.fingerprint, cp.fingerprint_len)


def _holds(sib: Sibling, cp: SourceCheckpoint) -> bool:
    """Whether ``sib`` holds the content ``cp`` was read from (head hash, and long enough)."""
    head = sib.head()
    if head is None or not checkpoint_matches_head(cp, head):
        return False
    return sib.compressed or sib.st.st_size >= cp.offset
