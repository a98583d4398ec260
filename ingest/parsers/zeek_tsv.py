"""Zeek TSV data rows of a batch, read with Arrow: the same columns as zeek.py's per-line path.

A run of data rows under one header is split into columns by ``split_pattern``; each column is
converted by its ``#types`` type. What is plain (decimal digits, text without escapes or JSON
specials, times with at most 6 decimals) is converted by Arrow; every other value goes through
the per-line code's converter, once per distinct text. Then the fields are mapped as
:func:`~ingest.parsers.zeek.map_zeek` maps a record, and attrs is assembled from per-column JSON
members (``"name":value``), unset values left out.
"""

from __future__ import annotations

from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any, Final

import numpy as np
import pyarrow as pa

from ingest.parsers.arrays import (
    Array,
    Part,
    combine,
    constant,
    ip_mask,
    json_objects,
    map_distinct,
    micros,
    pc,
)
from ingest.parsers.columns import is_ip, json_value, to_int
from ingest.parsers.times import to_time
from ingest.parsers.zeek_fields import COMMON, CONN_FAIL, CONN_OK, TsvHeader, stream_of

_STRING: Final = pa.string()
_INT64: Final = pa.int64()
_NULL: Final = pa.scalar(None, _STRING)
_INT_TYPES: Final = ("count", "int", "port")
_REAL_TYPES: Final = ("double", "interval", "time")
#: Text that JSON writes as it is (between quotes): no quote, backslash or control character.
_PLAIN: Final = r'^[^"\\\x00-\x1f]*$'
_DECIMAL_INT: Final = r"^(?:0|-?[1-9][0-9]{0,17})$"  # as str(int(raw)) writes it
#: A time whose exact decimal value is what the per-line float conversion gives (see
#: _exact_micros), when its seconds are also below 2**31.
_EXACT_TIME: Final = r"^[0-9]{1,10}(?:\.[0-9]{1,6})?$"
_EXACT_LIMIT: Final = 2**31
#: Keys map_zeek takes, per stream (besides COMMON).
_USED: Final = {
    "conn": {"proto", "service", "orig_bytes", "resp_bytes"},
    "http": {"method", "uri", "username", "request_body_len", "response_body_len"},
    "dns": {"qtype_name", "query"},
}


class Column:
    """One field of the rows: its raw texts and the converter of its ``#types`` type."""

    def __init__(self, raw: Array, typ: str, header: TsvHeader) -> None:
        self.raw = raw
        self.typ = typ
        self.header = header
        self.convert = header._converter(typ)  # the per-line path's converter
        self.unset: Array = pc.equal(raw, header.unset)

    def value(self, raw: str | None) -> object:
        """The per-line path's value of one raw text (None for unset)."""
        return None if raw is None or raw == self.header.unset else self.convert(raw)

    def python(self, fn: Callable[[object], object], typ: pa.DataType) -> Array:
        """``fn(value)`` per row, computed once per distinct raw text."""
        return map_distinct(self.raw, lambda raw: fn(self.value(raw)), typ)

    def is_text(self) -> bool:
        return not (self.typ in _INT_TYPES or self.typ in _REAL_TYPES or self.typ == "bool"
                    or self.typ.startswith(("set[", "vector[")))  # fmt: skip

    def text(self) -> Array:
        """``_text(value)``: the value as text, None when unset or empty."""
        if not self.is_text():
            return self.python(lambda v: None if v is None or v == "" else str(v), _STRING)
        plain = pc.invert(pc.match_substring(self.raw, "\\x"))
        empty = pc.or_(self.unset, pc.equal(self.raw, self.header.empty))
        out: Array = pc.if_else(empty, _NULL, self.raw)
        if not pc.all(plain).as_py():
            escaped = self.python(lambda v: None if v is None or v == "" else str(v), _STRING)
            out = pc.if_else(plain, out, escaped)
        return out

    def integer(self) -> Array:
        """``to_int(value)``."""
        if self.typ not in _INT_TYPES:
            return self.python(to_int, _INT64)
        simple = pc.match_substring_regex(self.raw, _DECIMAL_INT)
        out: Array = pc.if_else(simple, self.raw, _NULL).cast(_INT64)
        other = pc.and_(pc.invert(simple), pc.invert(self.unset))
        if pc.any(other).as_py():
            out = pc.if_else(other, self.python(to_int, _INT64), out)
        return out

    def address(self) -> Array:
        """``_ip(value)``: the text when it is an address."""
        if not self.is_text():
            return self.python(lambda v: v if isinstance(v, str) and is_ip(v) else None, _STRING)
        text = self.text()
        result: Array = pc.if_else(ip_mask(pc.fill_null(text, ""), is_ip), text, _NULL)
        return result

    def micros(self) -> Array:
        """``to_time(value)`` as UTC microseconds."""
        fn: Callable[[object], object] = lambda v: micros(to_time(v))  # noqa: E731
        if self.typ not in _REAL_TYPES:
            return self.python(fn, _INT64)
        exact = pc.match_substring_regex(self.raw, _EXACT_TIME)
        out = _exact_micros(pc.if_else(exact, self.raw, "0"))
        exact = pc.and_(exact, pc.less(out, _EXACT_LIMIT * 1_000_000))
        if not pc.all(exact).as_py():
            out = pc.if_else(exact, out, self.python(fn, _INT64))
        return out

    def member(self, name: str) -> Array:
        """``,"name":<JSON value>`` per row, null where the value is unset."""
        key = "," + encode_basestring(name) + ":"
        if self.typ == "bool":
            json = pc.if_else(pc.equal(self.raw, "T"), "true", "false")
        elif self.typ in _INT_TYPES:
            simple = pc.match_substring_regex(self.raw, _DECIMAL_INT)
            json = self._or_python(simple, self.raw)
        elif self.is_text():
            plain = pc.and_(
                pc.match_substring_regex(self.raw, _PLAIN),
                pc.invert(pc.equal(self.raw, self.header.empty)),
            )
            json = self._or_python(plain, pc.binary_join_element_wise('"', self.raw, '"', ""))
            json = pc.if_else(pc.equal(self.raw, self.header.empty), '""', json)
        elif self.typ in _REAL_TYPES:
            json = self._or_python(*_float_json(self.raw))
        else:  # lists: their JSON text per distinct value
            json = self.python(json_value, _STRING)
        member: Array = pc.if_else(self.unset, _NULL, pc.binary_join_element_wise(key, json, ""))
        return member

    def _or_python(self, simple: Array, fast: Array) -> Array:
        if pc.all(simple).as_py():
            return fast
        out: Array = pc.if_else(simple, fast, self.python(json_value, _STRING))
        return out


#: A decimal whose float's repr is the decimal itself, trailing zeros dropped: at most 15
#: digits (so no other decimal as short rounds to the same double) and at least 1e-4 unless
#: zero (smaller magnitudes are written with an exponent).
_PLAIN_FLOAT: Final = r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$"
_TINY: Final = r"^-?0\.0000[0-9]*[1-9]"


def _float_json(raw: Array) -> tuple[Array, Array]:
    """(which texts are plain decimals, their JSON: ``repr(float(text))``, by string ops)."""
    digits = pc.utf8_length(pc.replace_substring(pc.replace_substring(raw, "-", ""), ".", ""))
    plain = pc.and_(
        pc.and_(pc.match_substring_regex(raw, _PLAIN_FLOAT), pc.less_equal(digits, 15)),
        pc.invert(pc.match_substring_regex(raw, _TINY)),
    )
    with_point = pc.if_else(
        pc.match_substring(raw, "."), raw, pc.binary_join_element_wise(raw, ".0", "")
    )
    trimmed = pc.utf8_rtrim(with_point, "0")
    text = pc.if_else(
        pc.ends_with(trimmed, "."), pc.binary_join_element_wise(trimmed, "0", ""), trimmed
    )
    return plain, text


def _exact_micros(raw: Array) -> Array:
    """UTC microseconds of ``seconds[.fraction]`` texts (<= 10 and <= 6 digits), exactly.

    The per-line path parses a float and rounds it to microseconds; below 2**31 s a double's
    error is under 0.12 us, so that is the exact decimal value, computed here in integers
    (the caller keeps the per-line result for larger times).
    """
    parts = pc.split_pattern(pc.binary_join_element_wise(raw, ".", ""), ".", max_splits=1)
    whole = pc.list_element(parts, 0).cast(_INT64)
    frac = pc.utf8_rtrim(pc.list_element(parts, 1), ".")
    scale = pc.power(10, pc.subtract(6, pc.utf8_length(frac))).cast(_INT64)
    digits = pc.if_else(pc.equal(frac, ""), "0", frac).cast(_INT64)
    out: Array = pc.add(pc.multiply(whole, 1_000_000), pc.multiply(digits, scale))
    return out


def tsv_columns(text: Array, header: TsvHeader) -> dict[str, Array]:
    """Columns of data rows (no ``#`` or ``{`` line) read under ``header`` (it has #fields)."""
    n = len(text)
    width = len(header.fields)
    parts = pc.split_pattern(text, header.separator)
    fits = pc.equal(pc.list_value_length(parts), width)
    if pc.all(fits).as_py():
        return _records(parts, n, header)
    bad = pc.indices_nonzero(pc.invert(fits)).to_pylist()
    good = pc.indices_nonzero(fits).to_pylist()
    message = map_distinct(
        pc.list_value_length(parts),
        lambda k: f"not a Zeek record: {k} columns, the #fields header names {width}",
        _STRING,
    )
    errors = {
        "message": text.filter(pc.invert(fits)),
        "parse_error": message.filter(pc.invert(fits)),
    }
    pieces: list[Part] = [(bad, errors)]
    if good:
        pieces.append((good, _records(parts.filter(fits), len(good), header)))
    return combine(pieces, n)


def _records(parts: Any, n: int, header: TsvHeader) -> dict[str, Array]:
    """Rows of exactly one value per field."""
    width = len(header.fields)
    flat = parts.flatten()
    types = header.types if len(header.types) == width else ["string"] * width
    columns = {
        name: Column(flat.take(pa.array(np.arange(j, n * width, width))), typ, header)
        for j, (name, typ) in enumerate(zip(header.fields, types, strict=True))
    }
    stream = header.path
    if "_path" in columns or "@stream" in columns:
        return _by_stream(columns, n, header)
    return _mapped(columns, n, stream_of(dict.fromkeys(header.fields, None), stream))


def _by_stream(columns: dict[str, Column], n: int, header: TsvHeader) -> dict[str, Array]:
    """Rows that name their stream (``_path``/``@stream`` fields), mapped stream by stream."""
    keys = [k for k in ("_path", "@stream") if k in columns]
    named = [columns[k].raw.to_pylist() for k in keys]
    memo: dict[tuple[object, ...], str] = {}
    streams = []
    for values in zip(*named, strict=True):
        if values not in memo:
            record = dict.fromkeys(header.fields)
            record.update({k: columns[k].value(v) for k, v in zip(keys, values, strict=True)})
            memo[values] = stream_of(record, header.path)
        streams.append(memo[values])
    per_row = pa.array(streams, _STRING)
    pieces: list[Part] = []
    for name in pc.unique(per_row).to_pylist():
        rows = pc.equal(per_row, name)
        subset = {k: _filtered(c, rows) for k, c in columns.items()}
        count = int(pc.sum(rows).as_py())
        pieces.append((pc.indices_nonzero(rows).to_pylist(), _mapped(subset, count, name)))
    return combine(pieces, n)


def _filtered(column: Column, rows: Array) -> Column:
    return Column(column.raw.filter(rows), column.typ, column.header)


def _mapped(columns: dict[str, Column], n: int, stream: str) -> dict[str, Any]:
    """map_zeek over rows of one stream, and the attrs of the fields it did not take."""
    nulls = pa.nulls(n, _STRING)

    def get(name: str, how: str) -> Array:
        column = columns.get(name)
        if column is None:
            return nulls.cast(_INT64) if how in ("integer", "micros") else nulls
        result: Array = getattr(column, how)()
        return result

    out: dict[str, Any] = {
        "event_time": get("ts", "micros"),
        "event_id": get("uid", "text"),
        "app": constant("zeek", n),
        "event_type": constant(stream, n),
        "src_ip": get("id.orig_h", "address"),
        "src_port": get("id.orig_p", "integer"),
        "dst_ip": get("id.resp_h", "address"),
        "dst_port": get("id.resp_p", "integer"),
        "outcome": constant("unknown", n),
    }
    if stream == "conn":
        out.update(action=get("proto", "text"), object=get("service", "text"))
        out.update(bytes_out=get("orig_bytes", "integer"), bytes_in=get("resp_bytes", "integer"))
        if "conn_state" in columns:
            out["outcome"] = columns["conn_state"].python(_conn_outcome, _STRING)
    elif stream == "http":
        out.update(action=get("method", "text"), object=get("uri", "text"),
                   user=get("username", "text"), bytes_out=get("request_body_len", "integer"),
                   bytes_in=get("response_body_len", "integer"))  # fmt: skip
        code = get("status_code", "integer")
        out["outcome"] = pc.if_else(
            pc.is_null(code),
            "unknown",
            pc.if_else(pc.greater_equal(code, 400), "failure", "success"),
        )
    elif stream == "dns":
        out.update(action=get("qtype_name", "text"), object=get("query", "text"))
        if "rcode_name" in columns:
            out["outcome"] = columns["rcode_name"].python(_dns_outcome, _STRING)
    used = COMMON | _USED.get(stream, set())
    members = [c.member(name) for name, c in columns.items() if name not in used]
    out["attrs"] = json_objects(members, n)
    return out


def _conn_outcome(state: object) -> str:
    return "success" if state in CONN_OK else "failure" if state in CONN_FAIL else "unknown"


def _dns_outcome(rcode: object) -> str:
    return "unknown" if rcode is None else "success" if rcode == "NOERROR" else "failure"
