"""A chunk of bytes to records ready for the writer: split, parsed, as typed Arrow columns.

:func:`prepare_records` is a pure function of picklable arguments, so it runs in the main
process or in parser worker processes alike. Converting the parser's columns to Arrow here (and
not in the writer) moves that work into the workers too.

A parser that returns values of the wrong type for a column does not lose the batch: that column
is left null for the batch and ``parse_error`` says which parser and column failed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc

from ingest.ops import Tags
from ingest.parsers import Parser
from ingest.split import Chunk, Lines, split_chunk
from logchain.schema import DERIVED_FIELDS, PARSER_FIELDS

_FIELDS = {f.name: f for f in (*DERIVED_FIELDS, *PARSER_FIELDS)}


@dataclass(frozen=True, slots=True)
class Prepared:
    """Records of one chunk: envelope inputs and derived columns, all Arrow arrays.

    Pickled (from a parser worker to the main process) as one Arrow IPC stream: pickling the
    arrays one by one took a third as long as parsing them.
    """

    lines: Lines
    derived: dict[str, pa.Array[Any]]

    def __reduce__(self) -> tuple[Any, ...]:
        cols = {"\0raw": self.lines.raw, "\0offsets": self.lines.offsets}
        cols["\0flags"] = self.lines.flags
        cols.update(self.derived)
        batch = pa.RecordBatch.from_pydict(cols)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        return (_unpickle_prepared, (sink.getvalue().to_pybytes(), self.lines.split_at))


def _unpickle_prepared(stream: bytes, split_at: tuple[int, ...]) -> Prepared:
    batch = pa.ipc.open_stream(stream).read_next_batch()
    cols = dict(zip(batch.schema.names, batch.columns, strict=True))
    lines = Lines(cols.pop("\0raw"), cols.pop("\0offsets"), cols.pop("\0flags"), split_at)
    return Prepared(lines, cols)


def prepare_records(chunk: Chunk, max_line_bytes: int, parser: Parser, tags: Tags) -> Prepared:
    """Split ``chunk`` into records and parse them; never raises on bad input."""
    lines = split_chunk(chunk, max_line_bytes)
    raw: list[Any] = lines.raw.to_pylist()
    derived = to_arrays(parser.parse(raw), len(raw), parser)
    if tags:
        _apply_tags(derived, tags)
    return Prepared(lines, derived)


def to_arrays(
    derived: Mapping[str, Sequence[object] | pa.Array[Any]], n: int, parser: Parser
) -> dict[str, pa.Array[Any]]:
    """The parser's columns as Arrow arrays of the segment schema's types.

    Parsers return Arrow arrays typed as in the schema (kept as they are); lists, or arrays of
    another type, are converted here.
    """
    out: dict[str, pa.Array[Any]] = {}
    failed: list[str] = []
    for name, values in derived.items():
        f = _FIELDS.get(name)
        if f is None or len(values) != n:
            failed.append(name)
            continue
        try:
            out[name] = _array(values, f.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError,
                ValueError, OverflowError):  # fmt: skip
            failed.append(name)
    if failed:
        note = f"parser {parser.name} {parser.version} gave invalid values for {', '.join(failed)}"
        errors = out.get("parse_error")
        base = errors.to_pylist() if errors is not None else [None] * n
        out["parse_error"] = pa.array([e if e else note for e in base], pa.string())
        out.setdefault("parser", _array([parser.name] * n, _FIELDS["parser"].type))
        out.setdefault("parser_version", _array([parser.version] * n, _FIELDS["parser"].type))
    return out


def _array(values: Sequence[object] | pa.Array[Any], typ: pa.DataType) -> pa.Array[Any]:
    if isinstance(values, pa.Array):
        return _cast(values, typ)
    if not pa.types.is_dictionary(typ):
        return pa.array(values, typ)
    if values and values[0] is not None and values.count(values[0]) == len(values):
        # One value for the whole batch (parser, parser_version, often app): no hashing.
        indices = pa.array(np.zeros(len(values), np.int32), pa.int32())
        return pa.DictionaryArray.from_arrays(indices, pa.array([values[0]], pa.string()))
    arr: pa.Array[Any] = pa.array(values, pa.string()).dictionary_encode()
    return arr


def _cast(values: pa.Array[Any], typ: pa.DataType) -> pa.Array[Any]:
    if values.type == typ:
        return values
    if not pa.types.is_dictionary(typ):
        return values.cast(typ)
    encoded: pa.Array[Any] = values.cast(pa.string()).dictionary_encode()
    return encoded


def _apply_tags(derived: dict[str, pa.Array[Any]], tags: Tags) -> None:
    """``attrs.tags`` on every record; the ``host`` tag also fills a missing host."""
    n = len(derived["parser"])
    tag_map = dict(tags)
    host = tag_map.get("host")
    if host is not None:
        have = derived.get("host")
        plain = have.cast(pa.string()) if have is not None else pa.nulls(n, pa.string())
        filled = cast(pa.StringArray, pc.fill_null(plain, pa.scalar(host)))
        derived["host"] = filled.dictionary_encode()
    text = json.dumps({"tags": tag_map}, sort_keys=True, separators=(",", ":"))
    attrs = derived.get("attrs")
    if attrs is None:
        derived["attrs"] = pa.repeat(pa.scalar(text, pa.string()), n)
        return
    strings = cast(pa.StringArray, attrs.cast(pa.string()))
    body = pc.utf8_slice_codeunits(strings, 1)
    prefix = pa.repeat(pa.scalar(text[:-1] + ",", pa.string()), n)
    merged = pc.binary_join_element_wise(prefix, body, pa.repeat(pa.scalar("", pa.string()), n))
    merged = pc.if_else(pc.starts_with(strings, "{"), merged, strings)  # not an object: as is
    empty = pc.or_kleene(pc.is_null(strings), pc.equal(strings, pa.scalar("{}")))
    derived["attrs"] = pc.if_else(empty, pa.scalar(text), merged)
