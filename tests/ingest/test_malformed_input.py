"""Malformed input is kept verbatim: binary, invalid UTF-8, huge lines, broken JSON, empty files."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from ingest.config import SourceConfig, WatchSettings
from ingest.parsers import PARSERS
from ingest.pipeline import Pipeline
from ingest.watch import Watcher
from logchain.store import Store
from tests.ingest.tailkit import (
    CONTINUATION,
    NO_NEWLINE,
    events,
    open_writer,
    rebuild,
    sealed_records,
    source_records,
)

MIB = 1024 * 1024


def ingest(store: Store, path: Path, **kw: object) -> list[dict[str, object]]:
    cfg = SourceConfig(path=str(path), **kw)  # type: ignore[arg-type]
    with open_writer(store) as writer, Pipeline(writer) as pipeline:
        Watcher([cfg], pipeline, WatchSettings()).run(follow=False)
    return source_records(store, str(path))


def test_binary_file(store: Store, tmp_path: Path) -> None:
    """Random bytes (NULs, no newline for long stretches) are stored byte for byte."""
    data = random.Random(3).randbytes(300_000)
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    recs = ingest(store, path)
    assert rebuild(recs) == data
    assert all(isinstance(r["raw"], bytes) for r in recs)


def test_invalid_utf8_is_kept_raw_and_flagged(store: Store, tmp_path: Path) -> None:
    """A line that is not UTF-8 keeps its exact bytes and gets parse_error; others do not."""
    path = tmp_path / "mixed.log"
    path.write_bytes(b"good line\nbad \xff\xfe line\r\nnul \x00 byte\n")
    recs = ingest(store, path)
    assert [r["raw"] for r in recs] == [b"good line", b"bad \xff\xfe line\r", b"nul \x00 byte"]
    assert recs[0]["parse_error"] is None
    assert "UTF-8" in str(recs[1]["parse_error"])


def test_one_mib_line_is_kept_whole(store: Store, tmp_path: Path) -> None:
    """A line of exactly 1 MiB (the default cap) is one record."""
    line = b"a" * MIB
    path = tmp_path / "big.log"
    path.write_bytes(b"before\n" + line + b"\nafter\n")
    recs = ingest(store, path)
    assert [(len(r["raw"]), r["flags"]) for r in recs] == [(6, 0), (MIB, 0), (5, 0)]  # type: ignore[arg-type]
    assert recs[1]["raw"] == line
    assert events(store, "line_split") == []


def test_line_over_the_cap_is_split_never_dropped(store: Store, tmp_path: Path) -> None:
    """A 1 MiB line under a 64 KiB cap: 16 pieces, flagged, rebuilding the line exactly."""
    line = bytes(range(256)).replace(b"\n", b"-") * (MIB // 256)
    path = tmp_path / "big.log"
    path.write_bytes(line + b"\nnext\n")
    recs = ingest(store, path, max_line_bytes=64 * 1024)
    pieces = recs[:-1]
    assert len(pieces) == 16
    assert [r["flags"] for r in pieces] == [
        NO_NEWLINE,
        *[NO_NEWLINE | CONTINUATION] * 14,
        CONTINUATION,
    ]
    assert b"".join(r["raw"] for r in pieces) == line  # type: ignore[misc]
    assert [r["source_offset"] for r in pieces] == [i * 64 * 1024 for i in range(16)]
    assert recs[-1]["raw"] == b"next"
    (split,) = events(store, "line_split")
    assert split["offsets"] == [0]
    assert split["max_line_bytes"] == 64 * 1024


def test_broken_json_is_kept_verbatim(store: Store, tmp_path: Path) -> None:
    """JSON lines that do not parse are still records with their exact bytes."""
    lines = [b'{"user": "alice", "ok": true}', b'{"user": "bob", "ok": tru', b"{", b'"]}']
    path = tmp_path / "events.json"
    path.write_bytes(b"\n".join(lines) + b"\n")
    recs = ingest(store, path)
    assert [r["raw"] for r in recs] == lines


@pytest.mark.skipif("json" not in PARSERS, reason="the JSON-lines parser is not on this branch")
def test_broken_json_gets_parse_error(store: Store, tmp_path: Path) -> None:
    """With the JSON parser, a broken line gets parse_error and a good one does not."""
    path = tmp_path / "events.json"
    path.write_bytes(b'{"user": "alice"}\n{"user": \n')
    recs = ingest(store, path, format="json")
    assert recs[0]["parse_error"] is None
    assert recs[1]["parse_error"]


def test_empty_file_and_empty_lines(store: Store, tmp_path: Path) -> None:
    """An empty file gives no records; empty lines are records with empty raw."""
    empty, blank = tmp_path / "empty.log", tmp_path / "blank.log"
    empty.write_bytes(b"")
    blank.write_bytes(b"\n\n\n")
    assert ingest(store, empty) == []
    recs = ingest(store, blank)
    assert [(r["raw"], r["source_offset"]) for r in recs] == [(b"", 0), (b"", 1), (b"", 2)]


def test_system_records_are_json(store: Store, tmp_path: Path) -> None:
    """Every system record about a file is one JSON object naming the file's identity."""
    path = tmp_path / "x.log"
    path.write_bytes(b"x\n")
    ingest(store, path)
    bodies = [
        json.loads(r["raw"])  # type: ignore[arg-type]
        for r in sealed_records(store)
        if r["source"] == "logchain"
    ]
    opened = [b for b in bodies if b["event"] == "file_opened"]
    assert {"device", "inode", "fingerprint", "fingerprint_len", "path"} <= set(opened[0])
