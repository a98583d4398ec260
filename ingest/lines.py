"""Splitting bytes into lines exactly: each line's bytes without its ``\\n``, offset and flags.

Nothing is decoded or stripped: a ``\\r`` before the ``\\n`` stays in the line, so the source can be
rebuilt byte for byte from the records (``raw + b"\\n"`` unless the NO_NEWLINE flag is set).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from logchain.record import RecordFlag

READ_SIZE = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Lines:
    """A run of lines from one file: raw bytes, start offsets and flags, in file order."""

    raw: list[bytes]
    offsets: list[int]
    flags: list[int]

    def __len__(self) -> int:
        return len(self.raw)


def split_lines(data: bytes, start: int) -> tuple[Lines, bytes]:
    """Complete lines of ``data`` (which begins at file offset ``start``) and the leftover tail."""
    parts = data.split(b"\n")
    tail = parts.pop()
    offsets: list[int] = []
    pos = start
    for p in parts:
        offsets.append(pos)
        pos += len(p) + 1
    return Lines(parts, offsets, [0] * len(parts)), tail


def read_lines(
    fh: BinaryIO, start: int, *, final: bool, read_size: int = READ_SIZE
) -> Iterator[Lines]:
    """Yield runs of lines from ``fh`` beginning at offset ``start`` until EOF.

    With ``final`` the last line is yielded even without a newline (flag NO_NEWLINE); otherwise
    it is left unread so a later call picks it up whole.
    """
    fh.seek(start)
    pos = start
    carry = b""
    while True:
        chunk = fh.read(read_size)
        if not chunk:
            break
        lines, carry = split_lines(carry + chunk, pos)
        if lines.raw:
            pos = lines.offsets[-1] + len(lines.raw[-1]) + 1
            yield lines
    if carry and final:
        yield Lines([carry], [pos], [int(RecordFlag.NO_NEWLINE)])
