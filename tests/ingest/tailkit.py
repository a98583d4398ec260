"""Test helpers for the tailer: read a store back, rebuild each source's bytes, run a watcher.

Everything here reads the *sealed* store through the verified catalog: a record counts only if
its segment's seal verifies and the file hash matches.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.config import SourceConfig, WatchSettings
from ingest.pipeline import Pipeline
from ingest.watch import Watcher
from logchain.catalog import verified_catalog
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import SystemClock
from logchain.record import RecordFlag
from logchain.store import Store
from logchain.writer import LogWriter, SegmentLimits

NO_NEWLINE = int(RecordFlag.NO_NEWLINE)
CONTINUATION = int(RecordFlag.CONTINUATION)
COLUMNS = ["index", "source", "source_file_id", "source_offset", "flags", "raw", "parse_error"]


def sealed_records(store: Store, columns: Sequence[str] = COLUMNS) -> list[dict[str, object]]:
    """Every sealed record of ``store``, in index order."""
    catalog = verified_catalog(store, store_verifier(store))
    tables = [pq.read_table(p, columns=list(columns)) for p in catalog.segments]
    if not tables:
        return []
    table = pa.concat_tables(tables).sort_by("index")
    rows: list[dict[str, object]] = table.to_pylist()
    return rows


def source_records(store: Store, source: str) -> list[dict[str, object]]:
    return [r for r in sealed_records(store) if r["source"] == source]


def rebuild(records: Sequence[dict[str, object]]) -> bytes:
    """A source's bytes from its records: ``raw + \\n`` unless NO_NEWLINE, in index order."""
    out = bytearray()
    for r in records:
        raw = r["raw"]
        assert isinstance(raw, bytes)
        flags = r["flags"]
        assert isinstance(flags, int)
        out += raw
        if not flags & NO_NEWLINE:
            out += b"\n"
    return bytes(out)


def events(store: Store, name: str | None = None) -> list[dict[str, object]]:
    """The bodies of logchain's own records (optionally only event ``name``)."""
    out = []
    for r in sealed_records(store):
        if r["source"] == "logchain":
            raw = r["raw"]
            assert isinstance(raw, bytes)
            body = json.loads(raw)
            if name is None or body["event"] == name:
                out.append(body)
    return out


def open_writer(store: Store, *, max_records: int = 10**9, max_age: float = 3600.0) -> LogWriter:
    return LogWriter(
        store,
        store_sealer(store),
        store_verifier(store),
        SystemClock(),
        limits=SegmentLimits(max_records=max_records, max_age_s=max_age),
        command="test",
    )


def source(path: Path | str, **kw: object) -> SourceConfig:
    return SourceConfig(path=str(path), **kw)  # type: ignore[arg-type]


def wait_for(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Wait until ``check()`` holds; fails the test naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@dataclass
class Session:
    """A watcher running in a thread on a real writer (stopped and closed on exit)."""

    watcher: Watcher
    pipeline: Pipeline

    def stored(self, path: Path | str) -> int:
        """Records stored so far for the file now at ``path`` (any generation)."""
        return sum(f.records for f in self.pipeline.counts.files.values() if f.path == str(path))

    def wait_records(self, n: int, what: str = "records") -> None:
        wait_for(lambda: self.pipeline.counts.records >= n, f"{n} {what}")

    def wait_event(self, name: str) -> None:
        wait_for(lambda: self.pipeline.counts.events[name] > 0, f"system event {name}")


@contextmanager
def watching(
    store: Store,
    sources: Sequence[SourceConfig],
    settings: WatchSettings | None = None,
    *,
    writer: LogWriter | None = None,
) -> Iterator[Session]:
    """Run ``logchain watch``'s loop on ``sources`` in a thread until the block ends."""
    w = writer or open_writer(store)
    settings = settings or WatchSettings(poll_interval=30.0, rotate_wait=0.0)
    with w, Pipeline(w, workers=settings.workers) as pipeline:
        watcher = Watcher(sources, pipeline, settings)
        failure: list[BaseException] = []

        def run() -> None:
            try:
                watcher.run(follow=True)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread below
                failure.append(exc)

        thread = threading.Thread(target=run, name="watcher")
        thread.start()
        try:
            yield Session(watcher, pipeline)
        finally:
            watcher.stop()
            thread.join(timeout=60)
        if failure:
            raise failure[0]
