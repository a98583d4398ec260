"""An open source file, read forward from a byte offset: plain files, or gzip-compressed ones.

The file stays open while it is read, so a file that is renamed or deleted is still read through
the same descriptor to its end. Offsets of a gzip file are offsets in its decompressed content,
so a file compressed during rotation continues where its uncompressed original stopped.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path
from typing import BinaryIO

from ingest.identity import HEAD_BYTES, FileIdentity
from logchain.errors import IngestError

GZIP_MAGIC = b"\x1f\x8b"
SKIP_CHUNK = 1024 * 1024


def read_error(path: Path | str, exc: OSError | EOFError | zlib.error) -> IngestError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return IngestError(
        f"cannot read {path}: {reason}",
        hint="Check that the file exists and that logchain may read it (permissions, SELinux).",
    )


class FileReader:
    """A file opened for reading (plain or gzip) with its identity; use :meth:`close`."""

    def __init__(self, path: Path, *, compressed: bool | None = None) -> None:
        self.path = path
        try:
            self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            raise read_error(path, exc) from exc
        try:
            st = os.fstat(self.fd)
            self.compressed = (
                os.pread(self.fd, 2, 0) == GZIP_MAGIC if compressed is None else compressed
            )
            self._gz: gzip.GzipFile | None = None
            self._gz_raw: BinaryIO | None = None
            self._gz_pos = 0
            head = self._gzip_head() if self.compressed else os.pread(self.fd, HEAD_BYTES, 0)
            #: A compressed file is never appended to: its head is read once.
            self._fixed_head = head if self.compressed else None
        except (OSError, EOFError, zlib.error) as exc:
            os.close(self.fd)
            raise read_error(path, exc) from exc
        self.identity = FileIdentity.of(st.st_dev, st.st_ino, head)

    # ------------------------------------------------------------ reading
    def read(self, offset: int, size: int) -> bytes:
        """Up to ``size`` bytes at ``offset`` (b"" at the end); raises IngestError."""
        try:
            if not self.compressed:
                return os.pread(self.fd, size, offset)
            gz = self._gzip_at(offset)
            data = gz.read(size)
            self._gz_pos += len(data)
            return data
        except (OSError, EOFError, zlib.error) as exc:
            raise read_error(self.path, exc) from exc

    def head(self) -> bytes:
        """The file's first bytes as they are now (up to HEAD_BYTES)."""
        if self._fixed_head is not None:
            return self._fixed_head
        try:
            return os.pread(self.fd, HEAD_BYTES, 0)
        except OSError as exc:
            raise read_error(self.path, exc) from exc

    def refresh_identity(self) -> FileIdentity:
        """The identity with the head hash taken over the file's current first bytes."""
        self.identity = FileIdentity.of(self.identity.device, self.identity.inode, self.head())
        return self.identity

    def byte_before(self, offset: int) -> bytes:
        """The byte just before ``offset`` (b"" at offset 0)."""
        return b"" if offset == 0 else self.read(offset - 1, 1)

    def size(self) -> int | None:
        """Current size of a plain file; None for gzip (unknown until read)."""
        return None if self.compressed else self.stat().st_size

    def stat(self) -> os.stat_result:
        try:
            return os.fstat(self.fd)
        except OSError as exc:
            raise read_error(self.path, exc) from exc

    @property
    def deleted(self) -> bool:
        """Whether the file has no name left on disk (it is still readable through us)."""
        return self.stat().st_nlink == 0

    def close(self) -> None:
        self._close_gzip()
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    # ------------------------------------------------------------ gzip
    def _gzip_head(self) -> bytes:
        with os.fdopen(os.dup(self.fd), "rb") as raw, gzip.GzipFile(fileobj=raw) as gz:
            return gz.read(HEAD_BYTES)

    def _close_gzip(self) -> None:
        if self._gz is not None:
            self._gz.close()
            self._gz = None
        if self._gz_raw is not None:
            self._gz_raw.close()
            self._gz_raw = None

    def _gzip_at(self, offset: int) -> gzip.GzipFile:
        if self._gz is None or offset < self._gz_pos:
            self._close_gzip()
            raw = os.fdopen(os.dup(self.fd), "rb")
            raw.seek(0)
            self._gz_raw = raw
            self._gz = gzip.GzipFile(fileobj=raw)
            self._gz_pos = 0
        while self._gz_pos < offset:
            skipped = self._gz.read(min(SKIP_CHUNK, offset - self._gz_pos))
            if not skipped:
                break
            self._gz_pos += len(skipped)
        return self._gz
