"""One source's files over time: the live file, and the rotated files it leaves behind.

:class:`SourceTail` turns what happens to a path into :mod:`ingest.ops` operations, in order:

* **append**: new bytes become record chunks (a last line without ``\\n`` is held back);
* **rename-and-create rotation**: the old file is drained to its end through its open descriptor
  (and kept open ``rotate_wait`` seconds for late writes), then the new file is read from 0;
* **copytruncate / truncation**: bytes not yet read are recovered from the rotated copy whose head
  hashes like ours (if there is one), then the file is read again from 0 as a new generation;
* **deletion**: the file is drained through its open descriptor, then left out of checkpoints;
* **a file appearing later** is read from its start.

Every such event is also a system record. A drained file stays in the checkpoint until a later
file of the source has records (it is forgotten in the same seal as those records), so a source
that has been read always has an entry to resume from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import structlog

from ingest.config import SourceConfig
from ingest.identity import FileIdentity, head_matches
from ingest.ops import (
    FileRef,
    ForgetFile,
    Op,
    Records,
    StartFile,
    SystemEvent,
    UpdateFile,
    checkpoint_attrs,
)
from ingest.parsers import detect_format, get_parser
from ingest.resume import PlannedFile, ResumePlan, list_siblings, plan_resume
from ingest.split import Chunk
from ingest.tail import FileTail
from logchain.errors import IngestError
from logchain.statement import SourceCheckpoint

log = structlog.get_logger(__name__)

#: Bytes read from one file per poll before the other files get their turn.
POLL_BUDGET = 16 * 1024 * 1024
#: Plans made at start before giving up on files that keep rotating under them.
START_ATTEMPTS = 3


@dataclass(slots=True)
class _Draining:
    tail: FileTail
    deadline: float


class SourceTail:
    """Every file of one source, read in order; see the module docstring."""

    def __init__(self, config: SourceConfig, live: Path, *, rotate_wait: float) -> None:
        self.config = config
        self.live = live
        self.source = config.source_name(str(live))
        self.rotate_wait = rotate_wait
        self.current: FileTail | None = None
        self.draining: list[_Draining] = []
        self.done: list[FileRef] = []
        #: The live file's StartFile, held back until the rotated files before it are drained.
        self._deferred: StartFile | None = None
        #: Bytes read in the last poll.
        self.last_read = 0
        #: Paths already reported as unreadable (reported once, retried every poll).
        self._unreadable: set[Path] = set()

    @property
    def idle(self) -> bool:
        """Whether the last poll found nothing new and nothing is left to drain."""
        return self.last_read == 0 and not self.draining and self._deferred is None

    @property
    def active(self) -> bool:
        """Whether any file of the source is open."""
        return self.current is not None or bool(self.draining)

    # ------------------------------------------------------------ start
    def start(
        self, entries: Sequence[SourceCheckpoint], backlog: Callable[[], bool]
    ) -> Iterator[Op]:
        """Resume from this source's checkpoint ``entries`` (see :mod:`ingest.resume`).

        ``backlog()`` says whether the source was never read before (asked only when it has no
        entries and is configured with ``backlog = true``). Raises IngestError if the files keep
        changing under the plan (rotated again while it was made).
        """
        wants = backlog if self.config.backlog else lambda: False
        for _ in range(START_ATTEMPTS):
            plan = plan_resume(self.live, entries, self.config.rotated, backlog=wants)
            opened = self._open_plan(plan)
            if opened is not None:
                break
        else:
            raise IngestError(
                f"the files of {self.live} kept being rotated while logchain was starting",
                hint="Start logchain again; nothing was read or stored yet.",
            )
        drains, live = opened
        for cp in plan.lost:
            yield SystemEvent(
                "gap_detected",
                "a checkpointed file is gone or was replaced, with no copy found; lines it held "
                "after the checkpoint may be lost",
                checkpoint_attrs(cp),
            )
            yield ForgetFile(entry_ref(cp))
        for cp in plan.superseded:
            yield ForgetFile(entry_ref(cp))
        for planned, tail in drains:
            yield self._start_drain(planned, tail)
        if live is not None:
            self.current = live
            entry = plan.live_entry
            if entry is not None:
                attrs = live.ref.attrs(offset=entry.offset)
                event = SystemEvent("file_resumed", "resumed from the checkpoint", attrs)
            else:
                event = self._opened_event(live, "new")
            self._deferred = StartFile(live.ref, entry.offset if entry else 0, event)

    def _open_plan(
        self, plan: ResumePlan
    ) -> tuple[list[tuple[PlannedFile, FileTail]], FileTail | None] | None:
        """Open every planned file; None (all closed again) if one is not what was planned."""
        drains: list[tuple[PlannedFile, FileTail]] = []
        live: FileTail | None = None
        changed = False
        for planned in plan.drain:
            tail = self._open(planned.path, planned.start)
            if tail is not None:
                drains.append((planned, tail))
                ident = tail.reader.identity
                changed |= (ident.device, ident.inode) != (planned.device, planned.inode)
        entry = plan.live_entry
        if self.live.exists():
            live = self._open(self.live, entry.offset if entry else 0)
            if live is not None and entry is not None:
                changed |= not _still(live, entry)
        if not changed:
            return drains, live
        for _, tail in drains:
            tail.close()
        if live is not None:
            live.close()
        return None

    def _start_drain(self, planned: PlannedFile, tail: FileTail) -> StartFile:
        ref = tail.ref
        attrs = ref.attrs(offset=planned.start, reason=planned.reason)
        entry = planned.entry
        if entry is not None:
            attrs["checkpoint"] = checkpoint_attrs(entry)
            event = SystemEvent("file_resumed", "resumed a rotated file from the checkpoint", attrs)
            copied = (entry.device, entry.file_id) != (ref.identity.device, ref.identity.inode)
            if copied and not _names_inode(self.live, entry):
                tail.forget_on_records.append(entry_ref(entry))  # the copy carries on from here
        else:
            event = SystemEvent("file_opened", "reading a rotated file not read before", attrs)
        self.draining.append(_Draining(tail, 0.0))
        return StartFile(ref, planned.start, event)

    def _opened_event(self, tail: FileTail, reason: str) -> SystemEvent:
        attrs = tail.ref.attrs(reason=reason, format=self.config.format)
        return SystemEvent("file_opened", "reading a file from its start", attrs)

    def _open(self, path: Path, start: int) -> FileTail | None:
        try:
            tail = FileTail.open(self.source, path, start, self.config.max_line_bytes)
        except IngestError as exc:
            if path not in self._unreadable:
                log.warning("file_unreadable", path=str(path), error=exc.message, hint=exc.hint)
                self._unreadable.add(path)
            return None
        self._unreadable.discard(path)
        return tail

    # ------------------------------------------------------------ poll
    def poll(self, now: float, *, final: bool) -> Iterator[Op]:
        """Read what is new in every file of the source; ``final``: read everything, store
        held partial lines, and wait for nothing (a one-shot ingest)."""
        self.last_read = 0
        for d in list(self.draining):
            yield from self._read(d.tail)
            if d.tail.at_eof and (final or now >= d.deadline or d.tail.reader.deleted):
                yield from self._done_with(d.tail, "rotated")
                self.draining.remove(d)
        if self._deferred is not None:
            if self.draining:
                return
            yield self._deferred
            self._deferred = None
        yield from self._check_live(now, final=final)
        cur = self.current
        if cur is None:
            return
        yield from self._read(cur)
        if cur.replaced:
            yield from self._truncated(cur)
        elif final and cur.at_eof:
            yield from self._store_partial(cur, "end of input")

    def _check_live(self, now: float, *, final: bool) -> Iterator[Op]:
        cur = self.current
        try:
            st = self.live.stat()
        except OSError:
            st = None
        if cur is not None:
            ident = cur.reader.identity
            if st is not None and (st.st_dev, st.st_ino) != (ident.device, ident.inode):
                yield from self._rotated(cur, now, final=final)
            elif st is None and cur.reader.deleted:
                yield from self._read(cur, None)
                yield SystemEvent(
                    "file_deleted",
                    "the file was deleted; it was read to its end through the open descriptor",
                    cur.ref.attrs(offset=cur.position),
                )
                yield from self._done_with(cur, "deleted")
                self.current = None
            elif st is not None and cur.truncated():
                yield from self._truncated(cur)
        if self.current is None and st is not None:
            tail = self._open(self.live, 0)
            if tail is not None:
                self.current = tail
                yield StartFile(tail.ref, 0, self._opened_event(tail, "appeared"))

    def _rotated(self, cur: FileTail, now: float, *, final: bool) -> Iterator[Op]:
        inode = cur.reader.identity.inode
        renamed = [s for s in list_siblings(self.live, self.config.rotated) if s.st.st_ino == inode]
        yield SystemEvent(
            "file_rotated",
            "the path names a new file; the old one is read to its end first",
            cur.ref.attrs(
                offset=cur.position, renamed_to=str(renamed[0].path) if renamed else None
            ),
        )
        self.current = None
        if final or self.rotate_wait == 0:
            yield from self._read(cur, None)
            yield from self._done_with(cur, "rotated")
        else:
            yield from self._read(cur)
            self.draining.append(_Draining(cur, now + self.rotate_wait))

    def _truncated(self, cur: FileTail) -> Iterator[Op]:
        old = cur.ref
        committed = cur.splitter.committed
        copy = self._find_copy(cur)
        yield SystemEvent(
            "file_truncated",
            "the file was truncated or its content replaced; unread bytes are taken from its "
            "rotated copy if there is one, then the file is read again from offset 0",
            old.attrs(offset=committed, copy=str(copy.reader.path) if copy else None),
        )
        if copy is not None:
            attrs = copy.ref.attrs(offset=committed, reason="recovered", truncated=old.attrs())
            event = SystemEvent("file_resumed", "reading the truncated file's rotated copy", attrs)
            yield StartFile(copy.ref, committed, event)
            yield from self._read(copy, None)
            yield from self._done_with(copy, "rotated")
        else:
            yield from self._store_partial(cur, "truncated")
        reader = cur.reader
        reader.refresh_identity()
        fresh = FileTail(self.source, reader, 0, self.config.max_line_bytes)
        self.current = fresh
        yield StartFile(fresh.ref, 0, self._opened_event(fresh, "truncated"))

    def _find_copy(self, cur: FileTail) -> FileTail | None:
        """The newest rotated file whose head is ours and that holds bytes we have not stored."""
        ident = cur.reader.identity
        committed = cur.splitter.committed

        def ours(head: bytes | None, inode: int) -> bool:
            fp = ident.fingerprint, ident.fingerprint_len
            return head is not None and inode != ident.inode and head_matches(head, *fp)

        for sib in reversed(list_siblings(self.live, self.config.rotated)):
            if not ours(sib.head(), sib.st.st_ino):
                continue
            if not (sib.compressed or sib.st.st_size > committed):
                continue
            copy = self._open(sib.path, committed)
            if copy is not None and ours(copy.reader.head(), copy.reader.identity.inode):
                return copy
            if copy is not None:  # renamed again between listing and opening
                copy.close()
        return None

    # ------------------------------------------------------------ reading
    def _read(self, tail: FileTail, budget: int | None = POLL_BUDGET) -> Iterator[Op]:
        for data in tail.read(budget):
            self.last_read += len(data)
            if tail.head_grew():
                yield UpdateFile(tail.ref)
            for chunk in tail.feed(data):
                yield from self._records(tail, chunk)

    def _records(self, tail: FileTail, chunk: Chunk) -> Iterator[Op]:
        forget = tail.forget_on_records
        if tail is self.current:
            forget += self.done
            self.done = []
        for ref in forget:
            yield ForgetFile(ref)
        tail.forget_on_records = []
        if tail.parser is None:
            fmt = self.config.format
            name = detect_format(tail.detect_sample()) if fmt == "auto" else fmt
            tail.parser = get_parser(name, self.config.parser_options)
        yield Records(tail.ref, chunk, tail.parser, self.config.tags, self.config.max_line_bytes)

    def _store_partial(self, tail: FileTail, reason: str) -> Iterator[Op]:
        chunk = tail.finish()
        if chunk is None:
            return
        yield SystemEvent(
            "partial_line_stored",
            "a last line without its newline was stored (flag NO_NEWLINE)",
            tail.ref.attrs(offset=chunk.start, length=len(chunk.data), reason=reason),
        )
        yield from self._records(tail, chunk)

    def _done_with(self, tail: FileTail, reason: str) -> Iterator[Op]:
        yield from self._store_partial(tail, reason)
        deleted = tail.reader.deleted
        tail.close()
        if deleted:  # nothing can resume it: leave it out of the checkpoint now
            yield ForgetFile(tail.ref)
        else:
            self.done.append(tail.ref)

    def close(self) -> None:
        """Close every open file. Nothing is stored: unread bytes are read after a restart."""
        for d in self.draining:
            d.tail.close()
        self.draining.clear()
        if self.current is not None:
            self.current.close()
            self.current = None


def entry_ref(cp: SourceCheckpoint) -> FileRef:
    """The file a checkpoint entry describes."""
    identity = FileIdentity(cp.device, cp.file_id, cp.fingerprint, cp.fingerprint_len)
    return FileRef(cp.source, cp.path, identity)


def _still(tail: FileTail, cp: SourceCheckpoint) -> bool:
    """Whether the open ``tail`` is the file ``cp`` describes (same inode, same head)."""
    ident = tail.reader.identity
    same = (ident.device, ident.inode) == (cp.device, cp.file_id)
    return same and head_matches(tail.reader.head(), cp.fingerprint, cp.fingerprint_len)


def _names_inode(live: Path, cp: SourceCheckpoint) -> bool:
    try:
        st = live.stat()
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (cp.device, cp.file_id)
