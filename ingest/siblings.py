"""A live file's rotated siblings (``auth.log.1``, ``auth.log.2.gz``, ``auth.log-20240101``).

Found by the source's rotation patterns next to the live file, oldest first; their heads are read
(decompressed for gzip) only when asked for.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.identity import HEAD_BYTES
from ingest.stream import FileReader
from logchain.errors import IngestError
from logchain.statement import SourceCheckpoint


@dataclass(slots=True)
class Sibling:
    """A rotated file of a live file (``auth.log.1``, ``auth.log.2.gz``, ``auth.log-20240101``)."""

    path: Path
    st: os.stat_result
    _head: bytes | None = None
    compressed: bool = False

    def head(self) -> bytes | None:
        """The first bytes (decompressed for gzip); None if unreadable."""
        if self._head is None:
            try:
                reader = FileReader(self.path)
            except IngestError:
                return None
            try:
                self._head = reader.head()[:HEAD_BYTES]
                self.compressed = reader.compressed
            finally:
                reader.close()
        return self._head

    def same_inode(self, cp: SourceCheckpoint) -> bool:
        return self.st.st_dev == cp.device and self.st.st_ino == cp.file_id


def list_siblings(live: Path, patterns: Sequence[str]) -> list[Sibling]:
    """Regular files next to ``live`` whose names match a rotation pattern, oldest first."""
    name = live.name
    globs = [p.replace("{name}", glob_escape(name)) for p in patterns]
    try:
        names = os.listdir(live.parent)
    except OSError:
        return []
    out: list[Sibling] = []
    for entry in names:
        if entry == name or not any(fnmatch.fnmatchcase(entry, g) for g in globs):
            continue
        path = live.parent / entry
        try:
            st = path.stat()
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            out.append(Sibling(path, st))
    out.sort(key=lambda s: (s.st.st_mtime_ns, s.path.name))
    return out


def glob_escape(text: str) -> str:
    """``text`` with glob characters matched literally."""
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)
