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
        lines = _pieces([chunk.data], [chunk.start], chunk.continuing, cap)
        split = chunk.kind == "pieces" or len(chunk.data) > cap
        return Lines(lines.raw, lines.offsets, lines.flags, (chunk.start,) if split else ())
    whole = pa.array([chunk.data], pa.binary())
    values = cast(pa.BinaryArray, pc.split_pattern(whole, "\n").values)
    raw = values.slice(0, len(values) - 1)  # data ends with \n: the last part is empty
    ends = _value_offsets(raw)
    lengths = np.diff(ends)
    starts = _starts(lengths, chunk.start)
    if len(lengths) and int(lengths.max()) > cap:
        return _split_long(raw, ends, starts, chunk.continuing, cap)
    flags = np.zeros(len(raw), np.uint8)
    if chunk.continuing and len(flags):
        flags[0] = CONTINUATION
    return Lines(raw, pa.array(starts), pa.array(flags))


def _value_offsets(arr: pa.BinaryArray) -> np.ndarray[Any, Any]:
    """The n + 1 offsets of a binary array's values, relative to its value buffer."""
    buf = arr.buffers()[1]
    if buf is None:
        raise ValueError("binary array without an offsets buffer")
    offs = np.frombuffer(memoryview(buf), np.int32)[arr.offset : arr.offset + len(arr) + 1]
    out: np.ndarray[Any, Any] = offs.astype(np.int64)
    return out


def _starts(lengths: np.ndarray[Any, Any], start: int) -> np.ndarray[Any, Any]:
    """File offsets of lines of ``lengths`` bytes, each followed by a newline, from ``start``."""
    out = np.empty(len(lengths), np.uint64)
    if len(lengths):
        out[0] = 0
        np.cumsum(lengths[:-1] + 1, out=out[1:])
    out += np.uint64(start)
    return out


def _split_long(
    raw: pa.BinaryArray,
    ends: np.ndarray[Any, Any],
    starts: np.ndarray[Any, Any],
    continuing: bool,
    cap: int,
) -> Lines:
    """Records for whole lines, lines over ``cap`` cut into pieces (no bytes are copied)."""
    lengths = np.diff(ends)
    count = np.maximum(1, (lengths + cap - 1) // cap)  # records per line (an empty line: 1)
    line = np.repeat(np.arange(len(lengths)), count)
    piece = np.arange(len(line)) - np.repeat(np.cumsum(count) - count, count)
    begin = ends[:-1][line] + piece * cap
    value_offsets = np.append(begin, ends[-1]).astype(np.int32)
    last = piece == count[line] - 1
    flags = np.where(last, 0, NO_NEWLINE) | np.where(piece > 0, CONTINUATION, 0)
    if continuing:
        flags[0] |= CONTINUATION
    data = raw.buffers()[2]
    pieces = pa.Array.from_buffers(
        pa.binary(), len(line), [None, pa.py_buffer(value_offsets.tobytes()), data]
    )
    long_lines = lengths > cap
    if continuing:
        long_lines[0] = False  # its first piece, and the split, were stored before
    return Lines(
        pieces,
        pa.array(starts[line] + (piece * cap).astype(np.uint64)),
        pa.array(flags.astype(np.uint8)),
        tuple(int(x) for x in starts[np.flatnonzero(long_lines)]),
    )


def _pieces(lines: list[bytes], starts: list[int], continuing: bool, cap: int) -> Lines:
    """Records for partial lines (no newline read): ``cap``-byte pieces, all NO_NEWLINE."""
    raw: list[bytes] = []
    offsets: list[int] = []
    flags: list[int] = []
    for i, (line, start) in enumerate(zip(lines, starts, strict=True)):
        first = CONTINUATION if continuing and i == 0 else 0
        for j in range(0, max(len(line), 1), cap):
            raw.append(line[j : j + cap])
            offsets.append(start + j)
            flags.append(NO_NEWLINE | (first if j == 0 else CONTINUATION))
    return Lines(
        pa.array(raw, pa.binary()), pa.array(offsets, pa.uint64()), pa.array(flags, pa.uint8())
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
