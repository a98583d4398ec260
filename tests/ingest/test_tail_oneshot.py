"""One-shot ingest (`logchain ingest`'s loop): byte-exact records, exactly once across runs."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.oneshot import ingest_files
from logchain.cli.wiring import store_verifier
from logchain.clock import SystemClock
from logchain.store import Store
from logchain.verify import verify_log
from tests.ingest.tailkit import (
    CONTINUATION,
    NO_NEWLINE,
    events,
    open_writer,
    rebuild,
    source_records,
)


def ingest(store: Store, *paths: Path, **kw: object) -> None:
    with open_writer(store) as writer:
        ingest_files(writer, list(paths), **kw)  # type: ignore[arg-type]


def test_every_line_once_byte_exact(store: Store, tmp_path: Path) -> None:
    """Each line is one record with its offset and inode; the file rebuilds byte for byte."""
    log = tmp_path / "app.log"
    data = b"first\r\n\nthird line\n" + bytes(range(256)).replace(b"\n", b"") + b"\n"
    log.write_bytes(data)
    ingest(store, log)
    recs = source_records(store, str(log))
    assert rebuild(recs) == data
    assert [r["source_offset"] for r in recs] == [0, 7, 8, 19]
    assert {r["source_file_id"] for r in recs} == {os.stat(log).st_ino}
    verify_log(store, store_verifier(store), SystemClock())


def test_second_run_resumes_after_the_checkpoint(store: Store, tmp_path: Path) -> None:
    """Running again stores only what was appended since, and says it resumed."""
    log = tmp_path / "app.log"
    log.write_bytes(b"a\nb\n")
    ingest(store, log)
    ingest(store, log)
    with log.open("ab") as fh:
        fh.write(b"c\n")
    ingest(store, log)
    recs = source_records(store, str(log))
    assert [r["raw"] for r in recs] == [b"a", b"b", b"c"]
    resumed = events(store, "file_resumed")
    assert [e["offset"] for e in resumed] == [4, 4]


def test_partial_last_line_then_its_continuation(store: Store, tmp_path: Path) -> None:
    """A last line without \\n is stored (NO_NEWLINE); its rest, later, is a CONTINUATION."""
    log = tmp_path / "app.log"
    log.write_bytes(b"whole\nhal")
    ingest(store, log)
    with log.open("ab") as fh:
        fh.write(b"f done\nnext\n")
    ingest(store, log)
    recs = source_records(store, str(log))
    assert [(r["raw"], r["flags"]) for r in recs] == [
        (b"whole", 0),
        (b"hal", NO_NEWLINE),
        (b"f done", CONTINUATION),
        (b"next", 0),
    ]
    assert rebuild(recs) == log.read_bytes()
    (partial,) = events(store, "partial_line_stored")
    assert partial["offset"] == 6
    assert partial["length"] == 3
    assert partial["inode"] == os.stat(log).st_ino


def test_empty_file_stores_nothing(store: Store, tmp_path: Path) -> None:
    """An empty file yields no records but is opened (and recorded as such)."""
    log = tmp_path / "empty.log"
    log.write_bytes(b"")
    ingest(store, log)
    assert source_records(store, str(log)) == []
    assert [e["path"] for e in events(store, "file_opened")] == [str(log)]


def test_parser_workers_give_the_same_records(store: Store, tmp_path: Path) -> None:
    """Parsing in worker processes stores exactly what parsing inline stores, in order."""
    log = tmp_path / "app.log"
    data = b"".join(b"line %d \xff\n" % i for i in range(30000))
    log.write_bytes(data)
    ingest(store, log, workers=2)
    recs = source_records(store, str(log))
    assert rebuild(recs) == data
    assert [r["index"] for r in recs] == sorted(r["index"] for r in recs)
    assert all(r["parse_error"] for r in recs)  # invalid UTF-8 is flagged, the bytes kept
