"""Filesystem events that wake the watch loop (watchdog: inotify, or polling where there are none).

Events only say *that* something changed; the tailers then look at the files themselves (stat,
identity, size), so a missed or coalesced event costs latency, never correctness: the loop also
polls every ``poll_interval`` seconds.
"""

from __future__ import annotations

import glob
import threading
from pathlib import Path

import structlog
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer as InotifyObserver
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from ingest.config import Observer

log = structlog.get_logger(__name__)

#: Events that our own reading causes; they never mean new data.
_QUIET = frozenset({"opened", "closed_no_write"})
#: Events after which source globs are expanded again.
_LISTING = frozenset({"created", "moved", "deleted"})


class _Handler(FileSystemEventHandler):
    def __init__(self, wake: threading.Event, listing: threading.Event) -> None:
        self.wake = wake
        self.listing = listing

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in _QUIET:
            return
        if event.event_type in _LISTING:
            self.listing.set()
        self.wake.set()


class ChangeObserver:
    """Watches the directories of the sources; sets ``wake`` on any change."""

    def __init__(self, kind: Observer, poll_interval: float, wake: threading.Event) -> None:
        self.kind = kind
        self.wake = wake
        #: Set when files were created, moved or deleted (source globs may match new files).
        self.listing = threading.Event()
        self._observer: BaseObserver = (
            PollingObserver(timeout=poll_interval) if kind == "polling" else InotifyObserver()
        )
        self._handler = _Handler(wake, self.listing)
        self._watched: set[tuple[str, bool]] = set()

    def start(self) -> None:
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join()

    def watch_pattern(self, pattern: str) -> None:
        """Watch the directory a source path or glob lives in (once; later if it is missing)."""
        directory, recursive = watch_root(pattern)
        key = (str(directory), recursive)
        if key in self._watched or not directory.is_dir():
            return
        try:
            self._observer.schedule(self._handler, str(directory), recursive=recursive)
        except OSError as exc:
            log.warning("directory_not_watched", directory=str(directory), error=str(exc))
            return
        self._watched.add(key)


def watch_root(pattern: str) -> tuple[Path, bool]:
    """The deepest directory of ``pattern`` without glob characters, and whether the pattern
    has glob characters in its directory part (then that directory is watched recursively)."""
    parts = Path(pattern).parent.parts
    for i, part in enumerate(parts):
        if glob.has_magic(part):
            return Path(*parts[:i]), True
    return Path(*parts), False
