"""Ingest whole files once, for programs that hold a writer (the demo, tests, benchmarks).

The same loop as `logchain watch` (:class:`~ingest.watch.Watcher`) with ``follow=False``: every
file is read to its end, a last line without a newline is stored with NO_NEWLINE, and a file
already partly sealed resumes after its checkpoint, so running it twice stores each line once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ingest.config import SourceConfig, WatchSettings
from ingest.pipeline import FileProgress, Pipeline
from ingest.watch import StatusCallback, Watcher
from logchain.writer import LogWriter


def ingest_files(
    writer: LogWriter,
    paths: Sequence[Path],
    *,
    log_format: str = "auto",
    workers: int = 0,
    on_status: StatusCallback | None = None,
) -> list[FileProgress]:
    """Ingest each file of ``paths`` completely; returns what was stored of each file.

    Raises IngestError naming a file that cannot be read, UsageError for an unknown format.
    """
    sources = [SourceConfig(path=os.path.abspath(p), format=log_format) for p in paths]
    with Pipeline(writer, workers=workers) as pipeline:
        watcher = Watcher(sources, pipeline, WatchSettings(workers=workers))
        watcher.run(follow=False, on_status=on_status)
    return list(pipeline.counts.files.values())
