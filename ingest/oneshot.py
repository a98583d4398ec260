"""One-shot ingest of whole files into a writer (`logchain ingest`).

Every line of each file becomes one record, byte-exact. A file already partly sealed (same
source name, inode and fingerprint in the writer's checkpoint) resumes after its sealed offset,
so running the same ingest twice stores each line once.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import structlog

from ingest.lines import read_lines
from ingest.parsers import get_parser
from logchain.errors import IngestError
from logchain.segment import RecordBatch
from logchain.statement import SourceCheckpoint
from logchain.writer import LogWriter

log = structlog.get_logger(__name__)

FINGERPRINT_BYTES = 1024
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class FileResult:
    path: Path
    records: int
    start_offset: int
    end_offset: int


def fingerprint(path: Path, length: int = FINGERPRINT_BYTES) -> tuple[str, int]:
    """Hex SHA-256 of the first ``length`` bytes (or fewer) and how many bytes that was."""
    with path.open("rb") as fh:
        head = fh.read(length)
    return hashlib.sha256(head).hexdigest(), len(head)


def ingest_files(
    writer: LogWriter, paths: Sequence[Path], *, progress: Progress | None = None
) -> list[FileResult]:
    """Ingest each file completely; raises IngestError naming the file on a read failure."""
    results = []
    for path in paths:
        results.append(_ingest_one(writer, path, progress))
    return results


def _ingest_one(writer: LogWriter, path: Path, progress: Progress | None) -> FileResult:
    try:
        st = path.stat()
        fp, fp_len = fingerprint(path)
    except OSError as exc:
        raise IngestError(f"cannot read {path}: {exc.strerror}") from exc
    source = str(path.resolve())
    info = SourceCheckpoint(
        source=source,
        file_id=st.st_ino,
        offset=0,
        device=st.st_dev,
        path=source,
        fingerprint=fp,
        fingerprint_len=fp_len,
    )
    start = 0
    for cp in writer.checkpoint():
        if cp.source == source and cp.file_id == st.st_ino and cp.device == st.st_dev:
            same_head = (
                cp.fingerprint_len <= fp_len
                and _head_hash(path, cp.fingerprint_len) == cp.fingerprint
            )
            if same_head and cp.offset <= st.st_size:
                start = cp.offset
    writer.register_file(info)
    parser = get_parser("generic")
    count = 0
    with path.open("rb") as fh:
        for lines in read_lines(fh, start, final=True):
            n = len(lines)
            writer.append(
                RecordBatch(
                    source=[source] * n,
                    source_file_id=[st.st_ino] * n,
                    source_offset=lines.offsets,
                    raw=lines.raw,
                    flags=lines.flags,
                    derived=parser.parse(lines.raw),
                )
            )
            writer.tick()
            count += n
            if progress:
                progress(sum(len(r) + 1 for r in lines.raw))
        end = fh.tell()
    log.info("file_ingested", path=str(path), records=count, start=start)
    return FileResult(path, count, start, end)


def _head_hash(path: Path, length: int) -> str:
    with path.open("rb") as fh:
        return hashlib.sha256(fh.read(length)).hexdigest()


def file_size(path: Path) -> int:
    return os.stat(path).st_size
