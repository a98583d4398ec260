"""Parser output as Arrow arrays of the segment's types, and the Arrow steps parsers share.

Parsers return every column as a ``pyarrow.Array`` already typed as in
:data:`logchain.schema.SEGMENT_SCHEMA` (dictionary columns as dictionary arrays, ``event_time``
as ``timestamp[us, UTC]``), so the writer's ``build_table`` has nothing left to convert.

Per-line Python work is what made parsing slow (each call, dict or object costs about as much as
a whole Arrow kernel pass over a short string), so parsers here work per *distinct* value where
values repeat (hosts, programs, timestamps, requests, messages): :func:`map_distinct` runs a
Python function once per distinct value of an array and spreads the results with ``take``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as _compute

from ingest.parsers.base import Derived
from logchain.schema import DERIVED_FIELDS, PARSER_FIELDS

#: pyarrow.compute without its stubs' types: their overloads reject valid calls (a str or int
#: where a scalar goes, DictionaryArray attributes). Results get their type where they are stored.
pc: Any = _compute
if TYPE_CHECKING:
    Array: TypeAlias = pa.Array[Any]
else:
    Array = pa.Array  # not subscriptable at run time
#: Column name -> its type in the segment schema.
TYPES: Final[Mapping[str, pa.DataType]] = {
    f.name: f.type for f in (*DERIVED_FIELDS, *PARSER_FIELDS)
}
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US: Final = timedelta(microseconds=1)
_INT_RANGE: Final = {pa.int32(): (-(2**31), 2**31 - 1), pa.int64(): (-(2**63), 2**63 - 1)}


def micros(when: datetime | None) -> int | None:
    """A UTC-aware datetime as integer microseconds since the epoch (exact, no float)."""
    return None if when is None else (when - EPOCH) // ONE_US


def decode_line(line: bytes) -> tuple[str, str | None]:
    """The line as text without a trailing CR, and an error if it is not valid UTF-8.

    Invalid bytes become U+FFFD in the text; the raw bytes are kept by the envelope anyway.
    Binary data is nearly always invalid UTF-8; a NUL or other control byte in valid UTF-8 is
    kept in the text as it is (it is representable, and such lines often parse fine).
    """
    try:
        text = line.decode("utf-8")
        err = None
    except UnicodeDecodeError as exc:
        text = line.decode("utf-8", "replace")
        err = f"invalid UTF-8 at byte {exc.start}"
    if text.endswith("\r"):
        text = text[:-1]
    return text, err


def decode_batch(lines: Sequence[bytes]) -> tuple[Array, list[str | None] | None]:
    """The lines as a string array (one trailing CR removed) and per-line errors, if any.

    Invalid UTF-8 is rare, so the whole batch is validated at once; only when that fails is
    each line decoded alone (U+FFFD replacements, ``invalid UTF-8 at byte N``).
    """
    try:
        text = pa.array(lines, pa.string())
    except pa.ArrowInvalid:
        pairs = [decode_line(line) for line in lines]
        return pa.array([t for t, _ in pairs], pa.string()), [e for _, e in pairs]
    ends = pc.ends_with(text, "\r")
    if pc.any(ends).as_py():  # a byte slice: the CR is one byte (faster than a UTF-8 slice)
        cut = pc.binary_slice(text.cast(pa.binary()), 0, -1).view(pa.string())
        text = pc.if_else(ends, cut, text)
    return text, None


def map_distinct(values: Array, fn: Callable[[Any], object], typ: pa.DataType) -> Array:
    """``fn`` of every value of ``values``, computed once per distinct value (nulls stay null)."""
    encoded = pc.dictionary_encode(values)
    results = typed([fn(v) for v in encoded.dictionary.to_pylist()], typ)
    return results.take(encoded.indices)


#: is_ip (columns.py) for ASCII text, as RE2: a dotted quad, or hex digits, dots and a colon.
_IP_ASCII: Final = r"^(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-fA-F.]*:[0-9a-fA-F:.]*)$"


def ip_mask(values: Array, is_ip: Callable[[str], bool]) -> Array:
    """Which values are addresses (``is_ip``): by RE2 for ASCII, by ``is_ip`` for the rest.

    (Python's ``\\d`` in is_ip also takes other scripts' digits: non-ASCII text keeps its test.)
    """
    mask: Array = pc.match_substring_regex(values, _IP_ASCII)
    ascii_ = pc.string_is_ascii(values)
    if not pc.all(ascii_).as_py():
        other = map_distinct(values, lambda v: is_ip(v), pa.bool_())
        mask = pc.if_else(ascii_, mask, other)
    return mask


def json_objects(members: Sequence[Array], n: int) -> Array:
    """``{m1,m2,...}`` per row from members ``,"key":value`` (null: left out); null if none.

    Nulls are joined as "" (``null_handling="replace"``): with "skip", pyarrow 26 drops the
    rows where every member is null instead of returning them empty (measured here).
    """
    if not members:
        return _nulls(n, pa.string())
    body = pc.binary_join_element_wise(*members, "", null_handling="replace", null_replacement="")
    whole = pc.binary_join_element_wise("{", pc.utf8_slice_codeunits(body, 1), "}", "")
    out: Array = pc.if_else(pc.equal(body, ""), pa.scalar(None, pa.string()), whole)
    return out


def typed(values: Sequence[object] | Array, typ: pa.DataType) -> Array:
    """``values`` as an array of ``typ`` (dictionary types from strings; ints out of range null)."""
    if isinstance(values, pa.Array):
        arr = values
        if arr.type == typ:
            return arr
        if pa.types.is_dictionary(typ):
            if not pa.types.is_string(arr.type):
                arr = arr.cast(pa.string())
            encoded: Array = pc.dictionary_encode(arr)
            return encoded
        return arr.cast(typ)
    if pa.types.is_dictionary(typ):
        strings: Array = pc.dictionary_encode(pa.array(values, pa.string()))
        return strings
    try:
        return pa.array(values, typ)
    except (OverflowError, pa.ArrowInvalid):
        if typ not in _INT_RANGE:
            raise
    # A number no column can hold (a 20-digit pid in a malformed line): null, the raw keeps it.
    low, high = _INT_RANGE[typ]
    return pa.array([v if isinstance(v, int) and low <= v <= high else None for v in values], typ)


def constant(value: str, n: int) -> Array:
    """``n`` copies of ``value`` as a dictionary array (one dictionary entry)."""
    indices: Any = pa.array(np.zeros(n, np.int32))  # zero-copy from numpy
    return pa.DictionaryArray.from_arrays(indices, pa.array([value]))


def finish(
    columns: Mapping[str, Sequence[object] | Array], n: int, name: str, version: str
) -> Derived:
    """The parser's output: each column typed for the segment, plus parser and version."""
    out: Derived = {col: typed(values, TYPES[col]) for col, values in columns.items()}
    out["parser"] = constant(name, n)
    out["parser_version"] = constant(version, n)
    return out


def _nulls(n: int, typ: pa.DataType) -> Array:
    out: Any = pa.nulls(n, typ)  # type: ignore[call-overload]  # stubs lack DataType
    return typed(out, typ)


Part = tuple[Sequence[int], Mapping[str, Sequence[object] | Array]]


def combine(parts: Sequence[Part], n: int) -> dict[str, Array]:
    """Columns of ``n`` lines from parts that each hold the columns of some lines (by index).

    A parser's fast path covers most lines and its per-line path the rest; this puts each
    line's values back in its place. A column a part lacks is null for its lines.
    """
    names = {name for _, columns in parts for name in columns}
    order = np.empty(n, np.int64)
    start = 0
    for rows, _ in parts:
        order[np.asarray(rows, np.int64)] = np.arange(start, start + len(rows))
        start += len(rows)
    where: Any = pa.array(order)
    out: dict[str, Array] = {}
    for name in names:
        typ = TYPES[name]
        arrays: list[Any] = [
            typed(columns[name], typ) if name in columns else _nulls(len(rows), typ)
            for rows, columns in parts
        ]
        if pa.types.is_dictionary(typ):  # concat needs one dictionary: decode, re-encode
            arrays = [a.dictionary_decode() for a in arrays]
        joined = pa.concat_arrays(arrays)
        out[name] = typed(joined.take(where), typ)
    return out


def as_lists(derived: Derived) -> dict[str, list[object]]:
    """Every column as a Python list (event_time as UTC datetimes; absent ones all None).

    For tests and tools that look at a few values; the writer takes the arrays as they are.
    """
    n = len(derived["parser"])
    return {col: derived[col].to_pylist() if col in derived else [None] * n for col in TYPES}
