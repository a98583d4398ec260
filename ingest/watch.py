"""The ingest loop shared by `logchain watch` (follow files forever) and `logchain ingest` (read
every file to its end, then stop).

Each pass polls every source (:class:`~ingest.source.SourceTail`), hands their operations to the
:class:`~ingest.pipeline.Pipeline`, and ticks the writer so seals keep their cadence. Between
passes the loop sleeps until a filesystem event, the next poll, or the next seal that is due.
:meth:`Watcher.stop` (called from a SIGTERM/SIGINT handler) ends the loop after the current
pass; the caller's writer then flushes and writes its close seal.

>>> # doctest: +SKIP
>>> with LogWriter(store, sealer, verifier, clock) as writer, Pipeline(writer) as pipeline:
...     Watcher(sources, pipeline, WatchSettings()).run(follow=False)
"""

from __future__ import annotations

import functools
import glob
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import structlog

from ingest.config import SourceConfig, WatchSettings
from ingest.history import source_seen
from ingest.observer import ChangeObserver
from ingest.pipeline import Pipeline
from ingest.resume import glob_escape
from ingest.source import SourceTail
from logchain.statement import SourceCheckpoint

log = structlog.get_logger(__name__)

#: After a pass that read at least this much, poll again at once (more is likely waiting).
BUSY_BYTES = 1024 * 1024
#: At most this many passes per second when data trickles in (batches stay reasonably large).
MIN_PASS_INTERVAL = 0.05


@dataclass(frozen=True, slots=True)
class WatchStatus:
    """A snapshot for status lines."""

    files: int
    records: int
    bytes: int
    system_records: int
    #: System records by event name.
    events: dict[str, int]
    seals: int
    records_sealed: int
    seconds_since_seal: float
    elapsed: float


StatusCallback = Callable[[WatchStatus], None]


class Watcher:
    """Tails every file of ``sources`` into ``pipeline``'s writer; see the module docstring."""

    def __init__(
        self,
        sources: Sequence[SourceConfig],
        pipeline: Pipeline,
        settings: WatchSettings,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sources = sources
        self.pipeline = pipeline
        self.writer = pipeline.writer
        self.settings = settings
        self.monotonic = monotonic
        self.tails: dict[str, SourceTail] = {}
        self.wake = threading.Event()
        self._stopping = threading.Event()
        self._entries: dict[str, list[SourceCheckpoint]] = defaultdict(list)
        for cp in self.writer.checkpoint():
            self._entries[cp.source].append(cp)

    def stop(self) -> None:
        """End the loop after the current pass (safe to call from a signal handler)."""
        self._stopping.set()
        self.wake.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # ------------------------------------------------------------ loop
    def run(
        self, *, follow: bool, on_status: StatusCallback | None = None, status_every: float = 1.0
    ) -> WatchStatus:
        """Ingest until stopped (``follow``) or until every file is read to its end.

        Raises what the writer raises when a seal cannot be made (SealingError, StorageError)
        and IngestError if a parser worker dies; what was read but not sealed is read again
        from the checkpoint on the next start.
        """
        started = self.monotonic()
        observer = None
        if follow:
            observer = ChangeObserver(
                self.settings.observer, self.settings.poll_interval, self.wake
            )
            observer.start()
        try:
            self._loop(observer, started, follow=follow, on_status=on_status, every=status_every)
            self.pipeline.drain()
            status = self.status(started)
        finally:
            if observer is not None:
                observer.stop()
            for tail in self.tails.values():
                tail.close()
        if on_status is not None:
            on_status(status)
        return status

    def _loop(
        self,
        observer: ChangeObserver | None,
        started: float,
        *,
        follow: bool,
        on_status: StatusCallback | None,
        every: float,
    ) -> None:
        self._discover(observer)
        last_scan = last_status = last_pass = self.monotonic()
        while not self.stopping:
            read = self._pass(final=not follow)
            self.pipeline.pump()
            self.writer.tick()
            now = self.monotonic()
            if on_status is not None and now - last_status >= every:
                on_status(self.status(started))
                last_status = now
            if not follow:
                if read == 0 and all(t.idle for t in self.tails.values()):
                    return
                continue
            if read < BUSY_BYTES:
                self._sleep(now - last_pass)
            last_pass = self.monotonic()
            listing = observer is not None and observer.listing.is_set()
            if listing or last_pass - last_scan >= self.settings.rescan_interval:
                if observer is not None:
                    observer.listing.clear()
                self._discover(observer)
                last_scan = last_pass

    def _pass(self, *, final: bool) -> int:
        now = self.monotonic()
        read = 0
        for tail in list(self.tails.values()):
            for op in tail.poll(now, final=final):
                self.pipeline.submit(op)
            read += tail.last_read
            if self.stopping:
                break
        return read

    def _sleep(self, since_pass: float) -> None:
        timeout = min(self.settings.poll_interval, self.writer.seconds_until_due())
        if self.pipeline.busy:
            timeout = min(timeout, MIN_PASS_INTERVAL)
        if since_pass < MIN_PASS_INTERVAL:
            time.sleep(min(timeout, MIN_PASS_INTERVAL - since_pass))
        self.wake.wait(timeout)
        self.wake.clear()

    def status(self, started: float) -> WatchStatus:
        c = self.pipeline.counts
        since = (self.writer.clock.now_ns() - self.writer.tail.last_sealed_ns) / 1e9
        return WatchStatus(
            files=sum(1 for t in self.tails.values() if t.active),
            records=c.records,
            bytes=c.bytes,
            system_records=c.system_records,
            events=dict(c.events),
            seals=self.writer.seals_written,
            records_sealed=self.writer.records_sealed,
            seconds_since_seal=max(0.0, since),
            elapsed=self.monotonic() - started,
        )

    # ------------------------------------------------------------ sources
    def _discover(self, observer: ChangeObserver | None) -> None:
        """Start tailing files that match a source and are not tailed yet."""
        for cfg in self.sources:
            if observer is not None:
                observer.watch_pattern(cfg.path)
            for path in self._matches(cfg):
                if path in self.tails:
                    continue
                tail = SourceTail(cfg, Path(path), rotate_wait=self.settings.rotate_wait)
                self.tails[path] = tail
                source = tail.source
                never_read = functools.partial(self._never_read, source)
                for op in tail.start(self._entries.pop(source, []), never_read):
                    self.pipeline.submit(op)
        for path, tail in list(self.tails.items()):
            if tail.config.is_glob and not tail.active and not os.path.exists(path):
                del self.tails[path]

    def _never_read(self, source: str) -> bool:
        return not source_seen(self.writer.store, source)

    def _matches(self, cfg: SourceConfig) -> list[str]:
        if not cfg.is_glob:
            return [cfg.path]
        found = sorted(p for p in glob.glob(cfg.path) if os.path.isfile(p))
        return [p for p in found if not _rotated_copy_of_any(p, found, cfg.rotated)]


def _rotated_copy_of_any(path: str, others: Iterable[str], patterns: Sequence[str]) -> bool:
    """Whether ``path`` is a rotated copy of another matched file (``a.log.1`` of ``a.log``)."""
    p = Path(path)
    for other in others:
        o = Path(other)
        if o == p or o.parent != p.parent:
            continue
        for pattern in patterns:
            if p.match(pattern.replace("{name}", glob_escape(o.name))):
                return True
    return False
