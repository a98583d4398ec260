"""Restarts: what happened to the files while logchain was down is found by file identity.

Each ingest run below is a new writer session resuming from the last seal's checkpoint, so the
files are changed between runs exactly as rotation would change them while the daemon is down.
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

from ingest.config import WatchSettings
from ingest.oneshot import ingest_files
from ingest.ops import StartFile
from ingest.pipeline import Pipeline
from ingest.watch import Watcher
from logchain.store import Store
from tests.ingest.tailkit import events, open_writer, rebuild, source, source_records

T0 = 1_700_000_000


def ingest(store: Store, log: Path) -> None:
    with open_writer(store) as writer:
        ingest_files(writer, [log])


def write(path: Path, lines: range, *, prefix: str = "line", mtime: int | None = None) -> bytes:
    data = b"".join(f"{prefix} {i} {'x' * (i % 50)}\n".encode() for i in lines)
    with path.open("ab") as fh:
        fh.write(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return data


def stream(store: Store, log: Path) -> bytes:
    return rebuild(source_records(store, os.path.abspath(log)))


def test_renamed_while_down(store: Store, tmp_path: Path) -> None:
    """A file renamed away (rename+create rotation) is finished under its new name first."""
    log = tmp_path / "app.log"
    expected = write(log, range(100))
    ingest(store, log)
    expected += write(log, range(100, 150), mtime=T0)
    log.rename(tmp_path / "app.log.1")
    expected += write(log, range(150, 200), mtime=T0 + 10)
    ingest(store, log)
    assert stream(store, log) == expected
    (resumed,) = [e for e in events(store, "file_resumed") if e.get("reason") == "resumed"]
    assert resumed["path"] == str(tmp_path / "app.log.1")


def test_copytruncated_while_down(store: Store, tmp_path: Path) -> None:
    """After copytruncate the unread end comes from the copy, then the file from offset 0."""
    log = tmp_path / "app.log"
    expected = write(log, range(100))
    ingest(store, log)
    expected += write(log, range(100, 140), mtime=T0)
    shutil.copyfile(log, tmp_path / "app.log.1")
    os.utime(tmp_path / "app.log.1", (T0, T0))
    os.truncate(log, 0)
    expected += write(log, range(140, 170), prefix="again", mtime=T0 + 10)
    ingest(store, log)
    assert stream(store, log) == expected
    (recovered,) = [e for e in events(store, "file_resumed") if e.get("reason") == "recovered"]
    assert recovered["path"] == str(tmp_path / "app.log.1")


def test_compressed_while_down(store: Store, tmp_path: Path) -> None:
    """A rotated file compressed while logchain was down is finished from the .gz."""
    log = tmp_path / "app.log"
    expected = write(log, range(100))
    ingest(store, log)
    expected += write(log, range(100, 130), mtime=T0)
    rotated = tmp_path / "app.log.1.gz"
    rotated.write_bytes(gzip.compress(log.read_bytes()))
    os.utime(rotated, (T0, T0))
    log.unlink()
    expected += write(log, range(130, 150), mtime=T0 + 10)
    ingest(store, log)
    assert stream(store, log) == expected


def test_two_rotations_while_down(store: Store, tmp_path: Path) -> None:
    """Rotated files newer than the checkpointed one were never seen: read from their start."""
    log = tmp_path / "app.log"
    expected = write(log, range(50))
    ingest(store, log)
    expected += write(log, range(50, 60), mtime=T0)
    log.rename(tmp_path / "app.log.1")
    expected += write(log, range(60, 80), mtime=T0 + 10)
    (tmp_path / "app.log.1").rename(tmp_path / "app.log.2")
    log.rename(tmp_path / "app.log.1")
    expected += write(log, range(80, 90), mtime=T0 + 20)
    ingest(store, log)
    assert stream(store, log) == expected
    opened = [e for e in events(store, "file_opened") if e.get("reason") == "missed_rotation"]
    assert [e["path"] for e in opened] == [str(tmp_path / "app.log.1")]


def test_file_gone_is_a_recorded_gap(store: Store, tmp_path: Path) -> None:
    """A checkpointed file that vanished is a gap_detected record; the new file is read whole."""
    log = tmp_path / "app.log"
    write(log, range(10))
    ingest(store, log)
    inode = os.stat(log).st_ino
    log.unlink()
    other = tmp_path / "elsewhere"
    other.write_bytes(b"keep the inode busy\n")
    fresh = write(log, range(5), prefix="new")
    ingest(store, log)
    (gap,) = events(store, "gap_detected")
    assert gap["inode"] == inode
    assert gap["offset"] > 0
    assert stream(store, log).endswith(fresh)


def test_truncated_in_place_while_down_without_copy(store: Store, tmp_path: Path) -> None:
    """Same inode, new content, no copy: a gap is recorded and the file is read from 0."""
    log = tmp_path / "app.log"
    first = write(log, range(40))
    ingest(store, log)
    os.truncate(log, 0)
    again = write(log, range(5), prefix="rewritten")
    ingest(store, log)
    assert stream(store, log) == first + again
    assert len(events(store, "gap_detected")) == 1


def test_backlog_is_read_once(store: Store, tmp_path: Path) -> None:
    """With backlog = true the first start reads rotated files oldest first; never again."""
    log = tmp_path / "app.log"
    old2 = write(tmp_path / "app.log.2", range(10), prefix="oldest", mtime=T0)
    old1 = b"".join(f"older {i}\n".encode() for i in range(10))
    (tmp_path / "app.log.1.gz").write_bytes(gzip.compress(old1))
    os.utime(tmp_path / "app.log.1.gz", (T0 + 10, T0 + 10))
    live = write(log, range(10), prefix="live", mtime=T0 + 20)
    cfg = source(log, backlog=True)

    def run() -> None:
        with open_writer(store) as writer, Pipeline(writer) as pipeline:
            Watcher([cfg], pipeline, WatchSettings()).run(follow=False)

    run()
    assert stream(store, log) == old2 + old1 + live
    os.truncate(log, 0)  # the source's only checkpoint entry goes away with the truncation
    run()
    run()
    assert stream(store, log) == old2 + old1 + live
    assert len(events(store, "file_truncated")) + len(events(store, "gap_detected")) == 1


def test_plan_made_stale_by_another_rotation_is_not_used(store: Store, tmp_path: Path) -> None:
    """Files renamed between planning and opening are noticed; the plan is made again."""
    from ingest.resume import plan_resume
    from ingest.source import SourceTail

    log = tmp_path / "app.log"
    write(log, range(10))
    ingest(store, log)
    log.rename(tmp_path / "app.log.1")
    write(log, range(10, 20))
    with open_writer(store) as writer:
        entries = writer.checkpoint()
    tail = SourceTail(source(log), log, rotate_wait=0.0)
    plan = plan_resume(log, entries, tail.config.rotated, backlog=lambda: False)
    assert [p.path.name for p in plan.drain] == ["app.log.1"]
    (tmp_path / "app.log.1").rename(tmp_path / "app.log.2")
    log.rename(tmp_path / "app.log.1")
    write(log, range(20, 30))
    assert tail._open_plan(plan) is None
    starts = [op for op in tail.start(entries, lambda: False) if isinstance(op, StartFile)]
    assert [(Path(op.file.path).name, op.event.attrs["reason"]) for op in starts] == [
        ("app.log.2", "resumed"),
        ("app.log.1", "missed_rotation"),
    ]
    tail.close()
