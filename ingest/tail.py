"""One open file being read into chunks: where it stands, and whether it changed under us."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ingest.identity import HEAD_BYTES, head_matches
from ingest.ops import FileRef
from ingest.parsers import Parser
from ingest.split import Chunk, LineSplitter
from ingest.stream import FileReader

#: Bytes asked of the file per read.
READ_SIZE = 4 * 1024 * 1024
#: How much of a file's beginning ``auto`` format detection looks at.
DETECT_BYTES = 64 * 1024
DETECT_LINES = 20


class FileTail:
    """A file of a source, open, read forward from ``start``; call :meth:`close` when done."""

    def __init__(self, source: str, reader: FileReader, start: int, max_line_bytes: int) -> None:
        self.source = source
        self.reader = reader
        before = reader.byte_before(start)
        self.splitter = LineSplitter(
            start, continuing=before not in (b"", b"\n"), cap=max_line_bytes
        )
        self.parser: Parser | None = None
        self.at_eof = False
        #: Set when a read found the head changed (truncated and rewritten): the block was
        #: discarded, and the caller handles the truncation.
        self.replaced = False
        #: Files whose progress this file carries on: forgotten with its first records.
        self.forget_on_records: list[FileRef] = []

    @classmethod
    def open(cls, source: str, path: Path, start: int, max_line_bytes: int) -> FileTail:
        """Open ``path``; raises IngestError if it cannot be read."""
        return cls(source, FileReader(path), start, max_line_bytes)

    @property
    def ref(self) -> FileRef:
        return FileRef(self.source, str(self.reader.path), self.reader.identity)

    @property
    def position(self) -> int:
        return self.splitter.position

    def read(self, budget: int | None) -> Iterator[bytes]:
        """Blocks of new bytes, up to about ``budget`` in all (None: to the end).

        Sets :attr:`at_eof` at the end. A block read after the file was truncated and rewritten
        is not yielded: the head is checked after every read, and :attr:`replaced` set.
        """
        self.at_eof = False
        left = budget if budget is not None else 1 << 62
        while left > 0 and not self.replaced:
            data = self.reader.read(self.splitter.position, min(READ_SIZE, left))
            if not data:
                self.at_eof = True
                return
            if self._head_changed():
                self.replaced = True
                return
            left -= len(data)
            yield data

    def _head_changed(self) -> bool:
        if self.reader.compressed:
            return False
        ident = self.reader.identity
        return not head_matches(self.reader.head(), ident.fingerprint, ident.fingerprint_len)

    def feed(self, data: bytes) -> list[Chunk]:
        return self.splitter.feed(data)

    def finish(self) -> Chunk | None:
        """The held partial line, to be stored now (the file is done with)."""
        return self.splitter.finish()

    def head_grew(self) -> bool:
        """Re-hash the head if it covered fewer than HEAD_BYTES and the file has more now.

        Returns True if the identity changed (the caller re-registers the file). A head that no
        longer matches is left alone: :meth:`truncated` reports it.
        """
        ident = self.reader.identity
        if ident.fingerprint_len >= HEAD_BYTES or self.reader.compressed:
            return False
        head = self.reader.head()
        if len(head) <= ident.fingerprint_len:
            return False
        if not head_matches(head, ident.fingerprint, ident.fingerprint_len):
            return False
        self.reader.refresh_identity()
        return True

    def truncated(self) -> bool:
        """Whether the file was truncated or its content replaced since we read it."""
        if self.reader.compressed:
            return False
        if self.replaced:
            return True
        size = self.reader.size()
        return (size is not None and size < self.splitter.position) or self._head_changed()

    def detect_sample(self) -> list[bytes]:
        """The file's first lines, for ``auto`` format detection."""
        data = self.reader.read(0, DETECT_BYTES)
        return data.split(b"\n")[:DETECT_LINES]

    def close(self) -> None:
        self.reader.close()
