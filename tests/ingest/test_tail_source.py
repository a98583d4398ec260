"""A source's files through rotation, truncation and deletion, polled step by step.

The watcher's loop is replaced by explicit polls, so each file change lands exactly between two
polls (the watchdog-driven versions of these cases are in test_watch_events.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ingest.pipeline import Pipeline
from ingest.source import SourceTail
from logchain.store import Store
from tests.ingest.tailkit import NO_NEWLINE, events, open_writer, rebuild, source, source_records


@dataclass
class Stepper:
    tail: SourceTail
    pipeline: Pipeline
    now: float = 0.0

    def poll(self, *, final: bool = False, advance: float = 0.0) -> None:
        self.now += advance
        for op in self.tail.poll(self.now, final=final):
            self.pipeline.submit(op)


@contextmanager
def stepping(
    store: Store, log: Path, *, rotate_wait: float = 0.0, **kw: object
) -> Iterator[Stepper]:
    with open_writer(store) as writer, Pipeline(writer) as pipeline:
        tail = SourceTail(source(log, **kw), log, rotate_wait=rotate_wait)
        for op in tail.start([], lambda: True):
            pipeline.submit(op)
        yield Stepper(tail, pipeline)
        tail.close()


def append(path: Path, data: bytes) -> None:
    with path.open("ab") as fh:
        fh.write(data)


def test_rename_rotation_drains_the_old_file_and_its_partial_line(store: Store, tmp_path: Path):
    """The renamed file is read to its end (its partial last line stored), then the new one."""
    log = tmp_path / "app.log"
    log.write_bytes(b"one\n")
    with stepping(store, log) as s:
        s.poll()
        append(log, b"two\nthr")
        old_inode = os.stat(log).st_ino
        log.rename(tmp_path / "app.log.1")
        log.write_bytes(b"four\n")
        s.poll()
        s.poll()
    recs = source_records(store, str(log))
    assert [(r["raw"], r["flags"], r["source_file_id"]) for r in recs] == [
        (b"one", 0, old_inode),
        (b"two", 0, old_inode),
        (b"thr", NO_NEWLINE, old_inode),
        (b"four", 0, os.stat(log).st_ino),
    ]
    (rotated,) = events(store, "file_rotated")
    assert rotated["inode"] == old_inode
    assert rotated["renamed_to"] == str(tmp_path / "app.log.1")
    (partial,) = events(store, "partial_line_stored")
    assert partial["reason"] == "rotated"
    assert partial["offset"] == 8


def test_late_writes_to_a_rotated_file_are_read_during_rotate_wait(store: Store, tmp_path: Path):
    """A program still writing the renamed file is followed for rotate_wait seconds."""
    log = tmp_path / "app.log"
    log.write_bytes(b"a\n")
    with stepping(store, log, rotate_wait=5.0) as s:
        s.poll()
        writer_fd = log.open("ab")
        log.rename(tmp_path / "app.log.1")
        log.write_bytes(b"new\n")
        s.poll()
        writer_fd.write(b"late\n")
        writer_fd.close()
        s.poll(advance=1.0)
        append(tmp_path / "app.log.1", b"before the deadline poll\n")
        s.poll(advance=10.0)
        append(tmp_path / "app.log.1", b"after it was closed\n")
        s.poll()
    raws = [r["raw"] for r in source_records(store, str(log))]
    assert raws == [b"a", b"new", b"late", b"before the deadline poll"]


def test_copytruncate_recovers_unread_lines_from_the_copy(store: Store, tmp_path: Path):
    """Lines appended and copied away before we read them come from the copy, exactly once."""
    log = tmp_path / "app.log"
    log.write_bytes(b"read 1\nread 2\n")
    with stepping(store, log) as s:
        s.poll()
        append(log, b"unread 3\nunread partial")
        shutil.copyfile(log, tmp_path / "app.log.1")
        os.truncate(log, 0)
        append(log, b"after 1\n")
        s.poll()
        s.poll()
    recs = source_records(store, str(log))
    assert rebuild(recs) == b"read 1\nread 2\nunread 3\nunread partial" + b"after 1\n"
    copy_inode = os.stat(tmp_path / "app.log.1").st_ino
    assert {r["source_file_id"] for r in recs[2:4]} == {copy_inode}
    (trunc,) = events(store, "file_truncated")
    assert trunc["copy"] == str(tmp_path / "app.log.1")
    assert trunc["offset"] == 14


def test_truncation_without_copy_reads_again_from_zero(store: Store, tmp_path: Path):
    """A truncated file (no copy) keeps its held partial line and is read again from 0."""
    log = tmp_path / "app.log"
    log.write_bytes(b"old line\nold partial")
    with stepping(store, log) as s:
        s.poll()
        os.truncate(log, 0)
        s.poll()
        append(log, b"new line\n")
        s.poll()
    recs = source_records(store, str(log))
    assert [(r["raw"], r["flags"], r["source_offset"]) for r in recs] == [
        (b"old line", 0, 0),
        (b"old partial", NO_NEWLINE, 9),
        (b"new line", 0, 0),
    ]
    (trunc,) = events(store, "file_truncated")
    assert trunc["copy"] is None


def test_truncated_and_rewritten_past_our_offset_is_noticed(store: Store, tmp_path: Path):
    """Content replaced by a longer one (same inode) is told apart by its head hash."""
    log = tmp_path / "app.log"
    log.write_bytes(b"short\n")
    with stepping(store, log) as s:
        s.poll()
        with log.open("r+b") as fh:
            fh.truncate(0)
            fh.write(b"a much longer replacement line\nand another\n")
        s.poll()
        s.poll()
    raws = [r["raw"] for r in source_records(store, str(log))]
    assert raws == [b"short", b"a much longer replacement line", b"and another"]


def test_deleted_file_is_drained_through_its_descriptor(store: Store, tmp_path: Path):
    """Lines written just before deletion are still read; the file leaves the checkpoint."""
    log = tmp_path / "app.log"
    log.write_bytes(b"first\n")
    with stepping(store, log) as s:
        s.poll()
        inode = os.stat(log).st_ino
        append(log, b"second\nthird without newline")
        log.unlink()
        s.poll()
        s.poll()
        writer = s.pipeline.writer
        writer.flush()
        assert (str(log), inode) not in {(c.source, c.file_id) for c in writer.checkpoint()}
    recs = source_records(store, str(log))
    assert rebuild(recs) == b"first\nsecond\nthird without newline"
    (deleted,) = events(store, "file_deleted")
    assert deleted["inode"] == inode


def test_file_appearing_later_is_read_from_its_start(store: Store, tmp_path: Path):
    """A configured path that does not exist yet is read from offset 0 once it appears."""
    log = tmp_path / "later.log"
    with stepping(store, log) as s:
        s.poll()
        log.write_bytes(b"hello\n")
        s.poll()
    assert [r["raw"] for r in source_records(store, str(log))] == [b"hello"]
    (opened,) = events(store, "file_opened")
    assert opened["reason"] == "appeared"


def test_drained_file_stays_checkpointed_until_the_next_has_records(store: Store, tmp_path: Path):
    """A rotated-away file is forgotten in the same seal as the new file's first records."""
    log = tmp_path / "app.log"
    log.write_bytes(b"old\n")
    with stepping(store, log) as s:
        s.poll()
        old = os.stat(log).st_ino
        log.rename(tmp_path / "app.log.1")
        log.write_bytes(b"")
        s.poll()
        writer = s.pipeline.writer
        writer.flush()
        assert {c.file_id for c in writer.checkpoint()} == {old}
        append(log, b"new\n")
        s.poll()
        writer.flush()
        assert {c.file_id for c in writer.checkpoint()} == {os.stat(log).st_ino}
