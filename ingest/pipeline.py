"""Applies the tailers' operations to the writer, in order, parsing chunks inline or in workers.

With ``workers > 0`` record chunks are split and parsed by a pool of worker processes while the
main process reads files, hashes and writes segments; results are appended strictly in the order
the operations were submitted, and at most ``max_inflight`` chunks are in flight (bounded memory).

A file whose records restart below an offset already stored for the same (source, inode) -- a
truncated file read again, or a new file that reuses a deleted file's inode -- is a new
generation: the old one is first sealed out of the checkpoint (forget, then seal), because a
checkpoint offset only ever grows for a given key.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import Counter, deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from types import TracebackType

import pyarrow as pa
import structlog

from ingest.ops import ForgetFile, Op, Records, StartFile, SystemEvent, UpdateFile
from ingest.prepare import Prepared, prepare_records
from logchain.errors import IngestError
from logchain.segment import RecordBatch
from logchain.writer import LogWriter

log = structlog.get_logger(__name__)

#: A line_split record lists the offsets of at most this many split lines (all are flagged).
MAX_LISTED_OFFSETS = 1000


@dataclass(slots=True)
class FileProgress:
    """What this run stored of one file."""

    path: str
    start_offset: int
    end_offset: int
    records: int = 0


@dataclass(slots=True)
class PipelineCounts:
    """What went through the pipeline (for status lines and reports)."""

    records: int = 0
    bytes: int = 0
    system_records: int = 0
    #: System records by event name (file_rotated, file_truncated, ...).
    events: Counter[str] = field(default_factory=Counter)
    files: dict[tuple[str, int], FileProgress] = field(default_factory=dict)


def _ignore_signals() -> None:
    """Worker initializer: only the main process reacts to SIGINT/SIGTERM (and then flushes)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _result(future: Future[Prepared]) -> Prepared:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise IngestError(
            "a parser worker process stopped unexpectedly (killed, or out of memory)",
            hint="Check the system log (OOM killer); set workers = 0 in [watch] to parse in "
            "the main process. Nothing unsealed is lost: it is read again on restart.",
        ) from exc


class Pipeline:
    """Applies :mod:`ingest.ops` to a :class:`LogWriter` in order. Use as a context manager."""

    def __init__(self, writer: LogWriter, *, workers: int = 0, max_inflight: int = 0) -> None:
        self.writer = writer
        self.counts = PipelineCounts()
        #: Per (source, inode): the end offset of what is stored (sealed or pending).
        self.ends: dict[tuple[str, int], int] = {
            (cp.source, cp.file_id): cp.offset for cp in writer.checkpoint()
        }
        self._queue: deque[tuple[Op, Future[Prepared] | None]] = deque()
        self._inflight = 0
        self.max_inflight = max_inflight or 2 * workers + 2
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0:
            self._pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_ignore_signals,
            )

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self.drain()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)

    # ------------------------------------------------------------ queue
    def submit(self, op: Op) -> None:
        """Queue ``op``; applied at once when parsing inline, else when its turn comes.

        Raises what :meth:`pump` and the writer raise (IngestError, SealingError, StorageError).
        """
        if self._pool is None:
            self._apply(op, None)
            return
        future = None
        if isinstance(op, Records):
            future = self._pool.submit(
                prepare_records, op.chunk, op.max_line_bytes, op.parser, op.tags
            )
            self._inflight += 1
        self._queue.append((op, future))
        self.pump(wait=self._inflight > self.max_inflight)

    def pump(self, *, wait: bool = False) -> None:
        """Apply queued operations whose parse is done; with ``wait``, until under the bound.

        Raises IngestError if a worker process died (the records stay unsealed, and are read
        again after a restart).
        """
        while self._queue:
            op, future = self._queue[0]
            if future is not None and not future.done() and not wait:
                return
            prepared = _result(future) if future is not None else None
            self._queue.popleft()
            if future is not None:
                self._inflight -= 1
                wait = wait and self._inflight > self.max_inflight
            self._apply(op, prepared)

    def drain(self) -> None:
        """Apply everything queued (waits for the workers)."""
        while self._queue:
            self.pump(wait=True)

    @property
    def busy(self) -> bool:
        return bool(self._queue)

    # ------------------------------------------------------------ applying
    def _apply(self, op: Op, prepared: Prepared | None) -> None:
        w = self.writer
        if isinstance(op, Records):
            self._append(op, prepared)
        elif isinstance(op, SystemEvent):
            self._system(op)
        elif isinstance(op, StartFile):
            self._start(op)
        elif isinstance(op, UpdateFile):
            w.register_file(op.file.checkpoint())
        elif isinstance(op, ForgetFile):
            w.forget_file(*op.file.key)

    def _system(self, ev: SystemEvent) -> None:
        self.writer.append_system(ev.event, ev.message, ev.attrs)
        self.counts.system_records += 1
        self.counts.events[ev.event] += 1
        log.info(ev.event, **{k: v for k, v in ev.attrs.items() if not isinstance(v, list | dict)})

    def _start(self, op: StartFile) -> None:
        key = op.file.key
        self._system(op.event)
        known = self.ends.get(key)
        if known is not None and op.offset < known:
            # A new generation of the same (source, inode): seal the old one out of the
            # checkpoint first, so the offset of this key may start again from below.
            self.writer.forget_file(*key)
            self.writer.flush()
        self.ends[key] = op.offset
        self.writer.register_file(op.file.checkpoint())
        self.counts.files[key] = FileProgress(op.file.path, op.offset, op.offset)

    def _append(self, op: Records, prepared: Prepared | None) -> None:
        p = prepared or prepare_records(op.chunk, op.max_line_bytes, op.parser, op.tags)
        lines = p.lines
        n = len(lines)
        if n == 0:
            return
        ident = op.file.identity
        self.writer.append(
            RecordBatch(
                source=pa.repeat(pa.scalar(op.file.source, pa.string()), n),
                source_file_id=pa.repeat(pa.scalar(ident.inode, pa.uint64()), n),
                source_offset=lines.offsets,
                raw=lines.raw,
                flags=lines.flags,
                derived=p.derived,
            )
        )
        key = op.file.key
        self.ends[key] = max(self.ends.get(key, 0), op.chunk.end)
        progress = self.counts.files.setdefault(
            key, FileProgress(op.file.path, op.chunk.start, op.chunk.start)
        )
        progress.end_offset = op.chunk.end
        progress.records += n
        self.counts.records += n
        self.counts.bytes += len(op.chunk.data)
        if lines.split_at:
            split = len(lines.split_at)
            self._system(
                SystemEvent(
                    "line_split",
                    "lines longer than max_line_bytes were stored as continuation records",
                    op.file.attrs(
                        lines=split,
                        offsets=list(lines.split_at[:MAX_LISTED_OFFSETS]),
                        max_line_bytes=op.max_line_bytes,
                    ),
                )
            )
