"""Splitting bytes into line records: partial lines held, over-long lines split, nothing lost."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from ingest.split import Chunk, Lines, LineSplitter, split_chunk
from tests.ingest.tailkit import CONTINUATION, NO_NEWLINE


def records(lines: Lines) -> list[tuple[bytes, int, int]]:
    return list(
        zip(lines.raw.to_pylist(), lines.offsets.to_pylist(), lines.flags.to_pylist(), strict=True)
    )


def feed_all(
    data: bytes, cuts: list[int], cap: int, *, finish: bool
) -> list[tuple[bytes, int, int]]:
    s = LineSplitter(0, continuing=False, cap=cap)
    out: list[tuple[bytes, int, int]] = []
    pos = 0
    for cut in [*sorted(cuts), len(data)]:
        for chunk in s.feed(data[pos:cut]):
            out += records(split_chunk(chunk, cap))
        pos = max(pos, cut)
    if finish and (chunk := s.finish()) is not None:
        out += records(split_chunk(chunk, cap))
    return out


def rebuild(recs: list[tuple[bytes, int, int]]) -> bytes:
    return b"".join(raw + (b"" if flags & NO_NEWLINE else b"\n") for raw, _, flags in recs)


class TestSplitChunk:
    def test_lines_keep_cr_and_empty_lines(self):
        """Each line's raw is its bytes without the \\n; \\r and empty lines are kept."""
        lines = split_chunk(Chunk(b"a\r\n\nbc\n", 10, "lines", False), 100)
        assert records(lines) == [(b"a\r", 10, 0), (b"", 13, 0), (b"bc", 14, 0)]
        assert lines.split_at == ()

    def test_over_long_line_is_split_into_flagged_pieces(self):
        """A line above the cap: cap-sized pieces, NO_NEWLINE but last, CONTINUATION but first."""
        lines = split_chunk(Chunk(b"ok\n" + b"x" * 10 + b"\nz\n", 0, "lines", False), 4)
        assert records(lines) == [
            (b"ok", 0, 0),
            (b"xxxx", 3, NO_NEWLINE),
            (b"xxxx", 7, NO_NEWLINE | CONTINUATION),
            (b"xx", 11, CONTINUATION),
            (b"z", 14, 0),
        ]
        assert lines.split_at == (3,)

    def test_line_exactly_at_cap_is_whole(self):
        """The cap is inclusive: a line of exactly ``cap`` bytes is one record."""
        assert records(split_chunk(Chunk(b"abcd\n", 0, "lines", False), 4)) == [(b"abcd", 0, 0)]

    def test_continuing_chunk_flags_its_first_record(self):
        """A chunk that continues a line stored earlier marks its first record CONTINUATION."""
        lines = split_chunk(Chunk(b"tail\nnext\n", 50, "lines", True), 100)
        assert records(lines) == [(b"tail", 50, CONTINUATION), (b"next", 55, 0)]

    def test_partial_line(self):
        """A partial line (its file is done with) is one NO_NEWLINE record, not a split."""
        lines = split_chunk(Chunk(b"no newline", 7, "partial", False), 100)
        assert records(lines) == [(b"no newline", 7, NO_NEWLINE)]
        assert lines.split_at == ()


class TestLineSplitter:
    def test_partial_line_is_held_until_its_newline(self):
        """Bytes after the last \\n are held back, then stored whole when the newline arrives."""
        s = LineSplitter(0, continuing=False, cap=100)
        first = s.feed(b"one\ntw")
        assert [c.data for c in first] == [b"one\n"]
        assert s.committed == 4
        assert s.position == 6
        assert s.feed(b"o") == []
        second = s.feed(b"\n")
        assert [(c.data, c.start) for c in second] == [(b"two\n", 4)]

    def test_growing_line_is_emitted_in_pieces_beyond_the_cap(self):
        """A line still growing past the cap is stored in cap-sized pieces as it arrives."""
        s = LineSplitter(0, continuing=False, cap=4)
        chunks = s.feed(b"abcdefghij")
        assert [(c.data, c.kind, c.continuing) for c in chunks] == [(b"abcdefgh", "pieces", False)]
        assert s.carry == b"ij"
        end = s.feed(b"k\n")
        assert [(c.data, c.kind, c.continuing) for c in end] == [(b"ijk\n", "lines", True)]
        recs = records(split_chunk(chunks[0], 4)) + records(split_chunk(end[0], 4))
        assert recs == [
            (b"abcd", 0, NO_NEWLINE),
            (b"efgh", 4, NO_NEWLINE | CONTINUATION),
            (b"ijk", 8, CONTINUATION),
        ]

    def test_finish_stores_the_partial_line(self):
        """finish() hands on the held bytes; more bytes after it continue that line."""
        s = LineSplitter(0, continuing=False, cap=100)
        s.feed(b"a\nbc")
        chunk = s.finish()
        assert chunk is not None
        assert (chunk.data, chunk.start, chunk.kind) == (b"bc", 2, "partial")
        assert s.finish() is None
        assert [(c.data, c.continuing) for c in s.feed(b"d\n")] == [(b"d\n", True)]


@given(
    data=st.binary(max_size=300).map(lambda b: b.replace(b"\x00", b"\n")),
    cuts=st.lists(st.integers(0, 300), max_size=8),
    cap=st.integers(1, 40),
)
def test_any_stream_rebuilds_byte_exact(data: bytes, cuts: list[int], cap: int) -> None:
    """Whatever the bytes, read boundaries and cap, the records rebuild the stream exactly."""
    recs = feed_all(data, cuts, cap, finish=True)
    assert rebuild(recs) == data
    assert all(len(raw) <= cap for raw, _, _ in recs)
    offsets = [off for _, off, _ in recs]
    assert offsets == sorted(offsets)
    for (raw, off, flags), (_, next_off, next_flags) in itertools.pairwise(recs):
        assert next_off == off + len(raw) + (0 if flags & NO_NEWLINE else 1)
        assert bool(next_flags & CONTINUATION) == bool(flags & NO_NEWLINE)
