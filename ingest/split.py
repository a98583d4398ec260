"""Bytes to line records, exactly: a line's bytes without its ``\\n``, its offset, its flags.

Nothing is decoded or stripped (a ``\\r`` before the ``\\n`` stays), so each source's bytes are
rebuilt by concatenating its records in order: ``raw + b"\\n"`` unless the record has NO_NEWLINE.

* A line without its ``\\n`` yet is held back (:class:`LineSplitter`) until the newline arrives,
  or until the file is done with (rotated, deleted, end of a one-shot ingest); then it is stored
  with NO_NEWLINE.
* A line longer than the cap is kept whole up to the cap; beyond it, it is stored as pieces of
  ``cap`` bytes: NO_NEWLINE on every piece but the last, CONTINUATION on every piece but the
  first. Nothing is ever dropped.

:func:`split_chunk` is a pure function of its arguments so parser worker processes can run it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logchain.record import RecordFlag

NO_NEWLINE = int(RecordFlag.NO_NEWLINE)
CONTINUATION = int(RecordFlag.CONTINUATION)


#: ``lines``: whole lines, ending with ``\\n``. ``pieces``: the first bytes of a line longer than
#: the cap whose newline has not been read yet. ``partial``: a last line without its newline,
#: stored because its file is done with. Pieces and partial lines are stored with NO_NEWLINE.
ChunkKind = Literal["lines", "pieces", "partial"]


@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of a file's bytes ready to become records.

    ``continuing``: ``data`` continues a line whose first bytes were stored in earlier records.
    """

    data: bytes
    start: int
    kind: ChunkKind
    continuing: bool

    @property
    def end(self) -> int:
        return self.start + len(self.data)


@dataclass(frozen=True, slots=True)
class Lines:
    """Records for a chunk: Arrow arrays of raw bytes, start offsets and flags."""

    raw: pa.Array[Any]
    offsets: pa.Array[Any]
    flags: pa.Array[Any]
    #: Offsets of lines longer than the cap whose first piece is in this chunk.
    split_at: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.raw)


def split_chunk(chunk: Chunk, cap: int) -> Lines:
    """The records of ``chunk`` with lines longer than ``cap`` bytes split into pieces."""
    if chunk.kind != "lines":
        split = chunk.kind == "pieces" or len(chunk.data) > cap
        lines = _pieces([chunk.data], [chunk.start], chunk.continuing, cap, final_newline=False)
        if split and not chunk.continuing:
            return Lines(lines.raw, lines.offsets, lines.flags, (chunk.start,))
        return lines
    data = chunk.data
    whole = pa.array([data], pa.binary())
    values = cast(pa.BinaryArray, pc.split_pattern(whole, "\n").values)
    raw = values.slice(0, len(values) - 1)  # data ends with \n: the last part is empty
    lengths = pc.binary_length(raw).to_numpy(zero_copy_only=False).astype(np.uint64)
    if len(lengths) and int(lengths.max()) > cap:
        starts = _starts(lengths, chunk.start).tolist()
        return _pieces(data.split(b"\n")[:-1], starts, chunk.continuing, cap, final_newline=True)
    flags = np.zeros(len(raw), np.uint8)
    if chunk.continuing and len(flags):
        flags[0] = CONTINUATION
    return Lines(raw, pa.array(_starts(lengths, chunk.start)), pa.array(flags))


def _starts(lengths: np.ndarray[Any, Any], start: int) -> np.ndarray[Any, Any]:
    out = np.empty(len(lengths), np.uint64)
    if len(lengths):
        out[0] = 0
        np.cumsum(lengths[:-1] + 1, out=out[1:])
    out += np.uint64(start)
    return out


def _pieces(
    lines: list[bytes], starts: list[int], continuing: bool, cap: int, *, final_newline: bool
) -> Lines:
    """Records for ``lines``, each split into ``cap``-byte pieces when longer than ``cap``.

    With ``final_newline`` each line ended with ``\\n`` (its last piece has no NO_NEWLINE);
    otherwise every piece is NO_NEWLINE (the line's end has not been read).
    """
    raw: list[bytes] = []
    offsets: list[int] = []
    flags: list[int] = []
    split_at: list[int] = []
    for i, (line, start) in enumerate(zip(lines, starts, strict=True)):
        cont = CONTINUATION if continuing and i == 0 else 0
        if len(line) > cap and not cont:
            split_at.append(start)
        size = max(len(line), 1)
        for j in range(0, size, cap):
            last = j + cap >= len(line)
            raw.append(line[j : j + cap])
            offsets.append(start + j)
            newline = 0 if last and final_newline else NO_NEWLINE
            flags.append(newline | (cont if j == 0 else CONTINUATION))
    return Lines(
        pa.array(raw, pa.binary()),
        pa.array(offsets, pa.uint64()),
        pa.array(flags, pa.uint8()),
        tuple(split_at),
    )


class LineSplitter:
    """Cuts a file's byte stream into :class:`Chunk` s, holding back an unterminated last line."""

    def __init__(self, start: int, *, continuing: bool, cap: int) -> None:
        self.cap = cap
        self.carry = b""
        #: File offset of ``carry[0]``: every byte before it was handed on in a chunk.
        self.committed = start
        self.continuing = continuing

    @property
    def position(self) -> int:
        """File offset just past the last byte fed."""
        return self.committed + len(self.carry)

    def feed(self, data: bytes) -> list[Chunk]:
        """Chunks for ``data`` (the bytes at :attr:`position`); a partial line stays held."""
        out: list[Chunk] = []
        nl = data.rfind(b"\n")
        if nl >= 0:
            body = self.carry + data[: nl + 1] if self.carry else data[: nl + 1]
            out.append(Chunk(body, self.committed, "lines", self.continuing))
            self.committed += len(body)
            self.continuing = False
            self.carry = data[nl + 1 :]
        else:
            self.carry += data
        if len(self.carry) > self.cap:
            k = (len(self.carry) - 1) // self.cap * self.cap
            out.append(Chunk(self.carry[:k], self.committed, "pieces", self.continuing))
            self.committed += k
            self.carry = self.carry[k:]
            self.continuing = True
        return out

    def finish(self) -> Chunk | None:
        """The held partial line as a chunk (stored with NO_NEWLINE), or None if there is none."""
        if not self.carry:
            return None
        chunk = Chunk(self.carry, self.committed, "partial", self.continuing)
        self.committed += len(self.carry)
        self.carry = b""
        self.continuing = True
        return chunk
