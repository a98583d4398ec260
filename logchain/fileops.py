"""Write-once files: temp file, fsync, link (refuses to overwrite), directory fsync.

Evidence is never overwritten or half-written: a reader sees either no file or the whole file.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
from collections.abc import Iterator
from pathlib import Path

from logchain.errors import StorageError


def fsync_dir(path: Path) -> None:
    """fsync a directory so a new name in it survives a crash."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def temp_path(final: Path) -> Iterator[Path]:
    """A temp path beside ``final`` that is removed if still present afterwards."""
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    try:
        yield tmp
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def publish(tmp: Path, final: Path) -> None:
    """fsync ``tmp``, hard-link it to ``final`` (fails if ``final`` exists), fsync the directory.

    Raises StorageError if ``final`` already exists or the link fails.
    """
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, final)
    except FileExistsError as exc:
        raise StorageError(
            "refusing to overwrite an existing evidence file",
            path=final,
            hint="Another writer may have written this file; run `logchain verify` on the store.",
        ) from exc
    except OSError as exc:
        raise StorageError(f"could not publish {tmp.name}: {exc.strerror}", path=final) from exc
    tmp.unlink()
    fsync_dir(final.parent)


def write_once(final: Path, data: bytes, *, mode: int = 0o444) -> None:
    """Write ``data`` to ``final`` atomically and never over an existing file."""
    with temp_path(final) as tmp:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise StorageError(f"could not write: {exc.strerror}", path=final) from exc
        publish(tmp, final)


def replace_file(final: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Atomically replace ``final`` (only for non-evidence files such as the store manifest)."""
    with temp_path(final) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        fsync_dir(final.parent)


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (streaming). Raises FileNotFoundError if absent."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


#: A whole file's bytes: memory-mapped, or ``b""`` for an empty file.
FileBytes = mmap.mmap | bytes


def map_file(path: Path) -> FileBytes:
    """The file's bytes, memory-mapped read-only (pre-faulted where the OS allows).

    Avoids copying a large file into memory when it is hashed and decoded in place; an empty
    file gives ``b""``. Raises OSError (FileNotFoundError, ...) like ``open``.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        if os.fstat(fd).st_size == 0:
            return b""
        flags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)
        return mmap.mmap(fd, 0, flags=flags, prot=mmap.PROT_READ)
    finally:
        os.close(fd)
