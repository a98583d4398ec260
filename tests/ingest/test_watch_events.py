"""`logchain watch`'s loop driven by real watchdog events on real files.

The loop's poll interval is 30 s here, so only filesystem events (inotify) can make it read new
data within the waits below; the polling observer is tested with a short interval.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ingest.config import WatchSettings
from logchain.store import Store
from tests.ingest.tailkit import NO_NEWLINE, events, rebuild, source, source_records, watching


def append(path: Path, data: bytes) -> None:
    with path.open("ab") as fh:
        fh.write(data)


def lines(prefix: str, n: int) -> bytes:
    return b"".join(f"{prefix} {i}\n".encode() for i in range(n))


def test_appended_lines_and_a_held_partial_line(store: Store, tmp_path: Path) -> None:
    """Appends are read on inotify events; a partial line waits for its newline."""
    log = tmp_path / "app.log"
    log.write_bytes(b"")
    with watching(store, [source(log)]) as s:
        append(log, b"one\ntw")
        s.wait_records(1)
        append(log, b"o\n")
        s.wait_records(2)
    recs = source_records(store, str(log))
    assert [(r["raw"], r["flags"]) for r in recs] == [(b"one", 0), (b"two", 0)]


def test_rename_and_create_rotation(store: Store, tmp_path: Path) -> None:
    """Rename+create: the old file is drained (partial line stored), then the new one is read."""
    log = tmp_path / "app.log"
    log.write_bytes(lines("old", 100))
    with watching(store, [source(log)]) as s:
        s.wait_records(100)
        append(log, b"last old\npartial")
        log.rename(tmp_path / "app.log.1")
        log.write_bytes(lines("new", 50))
        s.wait_records(152)
    recs = source_records(store, str(log))
    assert rebuild(recs) == lines("old", 100) + b"last old\npartial" + lines("new", 50)
    assert recs[101]["flags"] == NO_NEWLINE
    assert len(events(store, "file_rotated")) == 1


def test_copytruncate(store: Store, tmp_path: Path) -> None:
    """copytruncate: every line in the copy or written after the truncation is stored once."""
    log = tmp_path / "app.log"
    log.write_bytes(lines("before", 100))
    with watching(store, [source(log)]) as s:
        s.wait_records(100)
        append(log, lines("copied", 1000))
        shutil.copyfile(log, tmp_path / "app.log.1")
        os.truncate(log, 0)
        append(log, lines("after", 10))
        s.wait_records(1110)
    recs = source_records(store, str(log))
    assert rebuild(recs) == lines("before", 100) + lines("copied", 1000) + lines("after", 10)
    assert len(events(store, "file_truncated")) == 1


def test_deleted_while_open(store: Store, tmp_path: Path) -> None:
    """A file deleted right after a large append is still read to its end."""
    log = tmp_path / "app.log"
    log.write_bytes(b"start\n")
    data = lines("x" * 100, 50_000)
    with watching(store, [source(log)]) as s:
        s.wait_records(1)
        append(log, data)
        log.unlink()
        s.wait_event("file_deleted")
        s.wait_records(50_001)
    assert rebuild(source_records(store, str(log))) == b"start\n" + data


def test_new_file_matching_a_glob(store: Store, tmp_path: Path) -> None:
    """A file created later that matches a source glob is picked up and read whole."""
    (tmp_path / "a.log").write_bytes(b"a\n")
    with watching(store, [source(tmp_path / "*.log")]) as s:
        s.wait_records(1)
        (tmp_path / "b.log").write_bytes(b"b1\nb2\n")
        (tmp_path / "b.log.1").write_bytes(b"a rotated file, not a source\n")
        s.wait_records(3)
    assert [r["raw"] for r in source_records(store, str(tmp_path / "b.log"))] == [b"b1", b"b2"]
    assert source_records(store, str(tmp_path / "b.log.1")) == []


@pytest.mark.parametrize("observer", ["polling", "inotify"])
def test_observers(store: Store, tmp_path: Path, observer: str) -> None:
    """Both observers notice appends and rotations (polling for filesystems without events)."""
    log = tmp_path / "app.log"
    log.write_bytes(b"")
    interval = 0.2 if observer == "polling" else 30.0
    settings = WatchSettings(observer=observer, poll_interval=interval, rotate_wait=0.0)  # type: ignore[arg-type]
    with watching(store, [source(log)], settings) as s:
        append(log, lines("a", 10))
        s.wait_records(10)
        log.rename(tmp_path / "app.log.1")
        log.write_bytes(lines("b", 10))
        s.wait_records(20)
    assert rebuild(source_records(store, str(log))) == lines("a", 10) + lines("b", 10)
