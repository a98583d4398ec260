"""One regex match per line, for a whole batch at once: the fields as Arrow string columns.

A parser's per-line ``pattern.match(text)`` (``text`` the decoded line without its trailing CR)
costs a Python call, a match object and a tuple per line. :class:`BatchPattern` gets the same
groups for every line from one ``findall`` over the joined batch instead, with ``re.M`` so that
``^`` and ``$`` anchor each line. For that the pattern must never match a ``\\n``: no ``.``
(write ``[^\\n]``), every negated class lists ``\\n`` (``[^"\\\\\\n]``), no ``\\s``/``\\D``/``\\W``.
Lines hold no ``\\n``, so on a line such a pattern matches what the original one matches.

A batch of plain ASCII is matched as bytes (about twice as fast as str): for ASCII, ``\\S``,
``\\d`` and ``\\w`` of a bytes pattern mean what they mean for str, except the separators
``\\x1c``-``\\x1f``, which are whitespace to str only, so a batch holding one is matched as str.

``findall`` returns ``""`` for a group that did not take part in the match (``match`` gives
None): a pattern that needs to tell them apart captures a marker (``( )``) in the optional part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pyarrow as pa

from ingest.parsers.arrays import Array, pc

_SEPARATORS: Final = (b"\x1c", b"\x1d", b"\x1e", b"\x1f")


@dataclass(frozen=True, slots=True)
class BatchPattern:
    """``pattern`` (a per-line regex, ``$`` at its end) compiled for whole batches."""

    groups: int
    text: re.Pattern[str]
    raw: re.Pattern[bytes]
    #: the same with a catch-all branch: exactly one match per line, matched or not
    text_any: re.Pattern[str]
    raw_any: re.Pattern[bytes]

    @classmethod
    def compile(cls, pattern: str) -> BatchPattern:
        """``pattern``: a line's regex ending in ``$``, never matching ``\\n`` (module doc).

        A match must leave some group non-empty (that is how a match tells itself apart from
        the catch-all branch).
        """
        any_line = f"^(?:{pattern}|([^\\n]*))$"
        return cls(
            groups=re.compile(pattern).groups,
            text=re.compile(f"^{pattern}", re.M),
            raw=re.compile(f"^{pattern}".encode(), re.M),
            text_any=re.compile(any_line, re.M),
            raw_any=re.compile(any_line.encode(), re.M),
        )

    def split(self, lines: Sequence[bytes]) -> tuple[list[Array], list[int]]:
        """(one string array per group, for the lines that match), (the other lines' indices).

        A line that is not valid UTF-8 counts as not matching: the caller parses it alone.
        """
        joined = b"\n".join(lines)
        if b"\r" in joined:  # a CR that ended a line goes (the line count stays the same)
            joined = joined.replace(b"\r\n", b"\n").removesuffix(b"\r")
        return self._match(joined, lines)

    def match_texts(self, texts: Array) -> tuple[list[Array], list[int]]:
        """:meth:`split` for texts already decoded (valid UTF-8, no newline; CRs are kept)."""
        n = len(texts)
        if n == 0:
            return self._columns([], pa.string()), []
        offsets: Any = pa.array([0, n], pa.int32())
        listed = pa.ListArray.from_arrays(offsets, texts.cast(pa.binary()))
        joined: bytes = pc.binary_join(listed, b"\n")[0].as_py()
        return self._match(joined, None, n)

    def _match(
        self, joined: bytes, lines: Sequence[bytes] | None, count: int = 0
    ) -> tuple[list[Array], list[int]]:
        """Groups of the ``n`` lines in ``joined`` (``lines``: the raw lines, to check UTF-8)."""
        n = len(lines) if lines is not None else count
        data: str | bytes
        kind: pa.DataType
        # (four substring tests: each a fast scan, where a regex class search is not)
        if joined.isascii() and not any(sep in joined for sep in _SEPARATORS):
            data, kind = joined, pa.binary()
            rows: list[tuple[bytes, ...]] | list[tuple[str, ...]] = self.raw.findall(joined)
        else:
            try:
                data, kind = joined.decode("utf-8"), pa.string()
            except UnicodeDecodeError:
                data, kind = joined.decode("utf-8", "surrogateescape"), pa.string()
                rows = []
            else:
                rows = self.text.findall(data)
        if len(rows) == n:
            return self._columns(rows, kind), []
        return self._partial(lines, n, data, kind)

    def _partial(
        self, lines: Sequence[bytes] | None, n: int, data: str | bytes, kind: pa.DataType
    ) -> tuple[list[Array], list[int]]:
        """Some lines do not match: find which with the catch-all pattern."""
        rows_any = (
            self.raw_any.findall(data) if isinstance(data, bytes) else self.text_any.findall(data)
        )
        if len(rows_any) != n:  # cannot happen (one match per line); stay correct
            return self._columns([], kind), list(range(n))
        matched: list[tuple[object, ...]] = []
        others: list[int] = []
        bad = _invalid_lines(lines) if isinstance(data, str) and lines is not None else set()
        for i, row in enumerate(rows_any):
            if row[-1] or i in bad or not any(row[:-1]):
                others.append(i)  # the catch-all took it (or an empty line), or bad UTF-8
            else:
                matched.append(row[:-1])
        return self._columns(matched, kind), others

    def _columns(self, rows: Sequence[tuple[object, ...]], kind: pa.DataType) -> list[Array]:
        """The groups of ``rows`` as string arrays (one per group)."""
        k = self.groups
        if k == 1:
            rows = [(r,) for r in rows]  # findall gives the group itself, not a 1-tuple
        nested: Any = pa.array(rows, pa.list_(kind, k))
        flat = nested.flatten()
        if kind != pa.string():
            flat = flat.cast(pa.string())  # ASCII: always valid
        n = len(rows)
        return [flat.take(pa.array(np.arange(j, n * k, k, dtype=np.int64))) for j in range(k)]


def _invalid_lines(lines: Sequence[bytes]) -> set[int]:
    bad = set()
    for i, line in enumerate(lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.add(i)
    return bad
