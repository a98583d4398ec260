"""JSON lines read by Arrow (``pyarrow.json``), as the per-line ``json.loads`` + ``flatten`` would.

Arrow reads a batch of objects into typed, nested columns; their leaves, named by dotted path,
are the flattened keys. Where Arrow's reading can differ from Python's, the rows concerned are
handed back for the per-line path (the returned ``redo`` indices):

- a float column (``double``) holds an integral value: the line may have had an integer
  (Arrow widens a column's ints to floats when some line has a float, and reads integers beyond
  64 bits as floats);
- an object whose fields are all null: ``{}`` and ``{"k": null}`` look alike;
- lists, ``{}``-only columns: not mapped here;
- strings that Arrow typed as timestamps are read again as strings (explicit schema).

A batch Arrow refuses (duplicate keys, a key with values of two JSON types, invalid JSON) is
split in halves until the lines it refuses are found; those go line by line.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Final

import pyarrow as pa
import pyarrow.json as pj

from ingest.parsers.arrays import Array, pc

#: Below this many lines a refused batch is not split further (all go line by line).
_SPLIT_MIN: Final = 64
_LEAF_TYPES: Final = (pa.string(), pa.int64(), pa.bool_(), pa.null())


def read_objects(lines: Sequence[bytes]) -> tuple[dict[str, Array], list[int]] | None:
    """(leaf columns by dotted name, rows to parse line by line), or None if Arrow refuses.

    ``lines`` must be non-blank, not start with a byte-order mark, and hold one object each.
    """
    table = _read(b"\n".join(lines), None)
    if table is None or table.num_rows != len(lines):
        return None
    leaves: dict[str, Array] = {}
    doubtful = pa.array([False] * len(lines))
    for name, column in zip(table.column_names, table.columns, strict=True):
        ok = _walk(name, column.combine_chunks(), leaves)
        if ok is None:
            return None
        doubtful = pc.or_(doubtful, ok)
    redo = pc.indices_nonzero(doubtful).to_pylist()
    return leaves, redo


def _read(data: bytes, schema: pa.Schema | None) -> pa.Table | None:
    """``data`` read by Arrow; string columns Arrow typed as timestamps are read again."""
    try:
        table = pj.read_json(
            io.BytesIO(data),
            read_options=pj.ReadOptions(use_threads=False, block_size=len(data) + 1),
            parse_options=pj.ParseOptions(
                explicit_schema=schema, newlines_in_values=False, unexpected_field_behavior="infer"
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    times = _as_strings(table.schema)
    if times is None:
        return table
    if schema is not None:  # already asked for strings once: give up on this batch
        return None
    return _read(data, times)


def _as_strings(schema: pa.Schema) -> pa.Schema | None:
    """``schema``'s timestamp fields as strings (None when it has none)."""

    def fix(typ: pa.DataType) -> pa.DataType | None:
        if pa.types.is_timestamp(typ):
            return pa.string()
        if pa.types.is_struct(typ):
            fields = [(f.name, fix(f.type)) for f in typ]
            kept = [pa.field(n, t) for n, t in fields if t is not None]
            return pa.struct(kept) if kept else None
        return None

    fields = [(f.name, fix(f.type)) for f in schema]
    kept = [pa.field(n, t) for n, t in fields if t is not None]
    return pa.schema(kept) if kept else None


def _walk(name: str, column: Any, leaves: dict[str, Array]) -> Array | None:
    """Add the leaves under ``name``; returns the rows to redo, None if the batch cannot go.

    A name met twice (``"a.b"`` and ``{"a": {"b"}}``) merges by key order per line: not here.
    """
    typ = column.type
    if pa.types.is_struct(typ) and typ.num_fields:
        children = column.flatten()  # the parent's nulls applied
        doubtful = pc.is_valid(column)  # valid and all fields null: {} or {"k": null}?
        redo = pa.array([False] * len(column))
        for field, child in zip(typ, children, strict=True):
            doubtful = pc.and_(doubtful, pc.is_null(child))
            sub = _walk(f"{name}.{field.name}", child, leaves)
            if sub is None:
                return None
            redo = pc.or_(redo, sub)
        out: Array = pc.or_(redo, doubtful)
        return out
    if name in leaves:
        return None
    if typ not in _LEAF_TYPES and typ != pa.float64():
        leaves[name] = pa.nulls(len(column))  # its rows with values are redone (below)
        held: Array = pc.is_valid(column)  # lists, {} columns: those rows line by line
        return held
    leaves[name] = column
    if typ == pa.float64():
        finite = pc.is_finite(column)
        whole = pc.equal(pc.floor(column), column)
        integral: Array = pc.fill_null(pc.and_(finite, whole), False)
        return integral
    return pa.array([False] * len(column))


Group = tuple[list[int], dict[str, Array]]


def read_groups(lines: Sequence[bytes]) -> tuple[list[Group], list[int]]:
    """([(rows, their leaf columns)], rows for the per-line path), rows indexing ``lines``.

    One group when Arrow takes the batch; a refused batch is halved (each half its own group)
    until the refusing lines are isolated in groups of at most _SPLIT_MIN lines.
    """
    result = read_objects(lines)
    if result is not None:
        leaves, redo = result
        if not redo:
            return [(list(range(len(lines))), leaves)], []
        keep = pc.invert(pc.is_in(pa.array(range(len(lines))), pa.array(redo)))
        rows = pc.indices_nonzero(keep).to_pylist()
        return [(rows, {k: v.filter(keep) for k, v in leaves.items()})], redo
    if len(lines) <= _SPLIT_MIN:
        return [], list(range(len(lines)))
    half = len(lines) // 2
    groups: list[Group] = []
    alone: list[int] = []
    for start, part in ((0, lines[:half]), (half, lines[half:])):
        found, refused = read_groups(part)
        groups += [([start + r for r in rows], leaves) for rows, leaves in found]
        alone += [start + r for r in refused]
    return groups, alone
