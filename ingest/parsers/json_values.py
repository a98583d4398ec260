"""A column of JSON values (one Arrow leaf: string, int64, double, bool or null), read as the
per-line code reads the Python values ``json.loads`` gives.

Each method gives, for every row, what a per-line function gives for the row's value
(text_of, to_int, is_ip, outcome_of, to_time, json_value). The common cases (text without
JSON specials, integers, ISO 8601 times) are computed by Arrow; the others by the per-line
function, once per distinct value. Doubles reach here only when not integral (json_arrow sends
integral ones line by line: they may have been integers).
"""

from __future__ import annotations

from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any, Final

import pyarrow as pa

from ingest.parsers.arrays import Array, ip_mask, map_distinct, micros, pc
from ingest.parsers.columns import is_ip, json_value, to_int
from ingest.parsers.ecs import outcome_of, text_of
from ingest.parsers.times import iso_micros, to_time

_STRING: Final = pa.string()
_INT64: Final = pa.int64()
#: Text that JSON writes as it is between quotes: no quote, backslash or control character.
_PLAIN: Final = r'^[^"\\\x00-\x1f]*$'


def _nulls(n: int, typ: pa.DataType) -> Array:
    out: Array = pa.nulls(n, typ)  # type: ignore[call-overload]
    return out


class Values:
    """The values of one flattened key for many rows (null: absent or JSON null)."""

    def __init__(self, values: Array) -> None:
        self.values = values
        self.kind = values.type

    def _python(self, fn: Callable[[Any], object], typ: pa.DataType) -> Array:
        return map_distinct(self.values, fn, typ)

    def usable(self) -> Array:
        """Not null and not an empty string (map_ecs skips those candidates)."""
        valid = pc.is_valid(self.values)
        if self.kind == _STRING:
            valid = pc.and_(valid, pc.not_equal(self.values, ""))
        out: Array = pc.fill_null(valid, False)
        return out

    def text_of(self) -> Array:
        if self.kind == _STRING:
            return self.values
        if self.kind == _INT64:
            out: Array = self.values.cast(_STRING)
            return out
        return self._python(text_of, _STRING)

    def to_int(self) -> Array:
        if self.kind == _INT64:
            return self.values
        if self.kind != _STRING:  # bool, float (not integral here), null: no int
            return _nulls(len(self.values), _INT64)
        digits = pc.match_substring_regex(self.values, "^[0-9]{1,18}$")
        fast: Array = pc.if_else(digits, self.values, pa.scalar(None, _STRING)).cast(_INT64)
        longer = pc.match_substring_regex(self.values, "^[0-9]{19,}$")
        if pc.any(longer).as_py():
            fast = pc.if_else(longer, self._python(to_int, _INT64), fast)
        return fast

    def address(self) -> Array:
        if self.kind != _STRING:
            return _nulls(len(self.values), _STRING)
        text = pc.fill_null(self.values, "")
        out: Array = pc.if_else(ip_mask(text, is_ip), self.values, pa.scalar(None, _STRING))
        return out

    def outcome(self) -> Array:
        return self._python(outcome_of, _STRING)

    def micros(self) -> Array:
        """to_time as UTC microseconds: ISO 8601 text by Arrow, the rest per distinct value."""
        convert: Callable[[Any], object] = lambda v: micros(to_time(v))  # noqa: E731
        if self.kind != _STRING:
            return self._python(convert, _INT64)
        fast, simple = iso_micros(pc.fill_null(self.values, ""))
        if pc.all(pc.or_(simple, pc.is_null(self.values))).as_py():
            return fast
        out: Array = pc.if_else(simple, fast, self._python(convert, _INT64))
        return out

    def member(self) -> Array:
        """The JSON text json_attrs writes for each value (null for null)."""
        if self.kind == _INT64:
            return self.text_of()
        if self.kind == pa.bool_():
            out: Array = pc.if_else(self.values, "true", "false")
            return out
        if self.kind != _STRING:
            return self._python(json_value, _STRING)
        plain = pc.match_substring_regex(self.values, _PLAIN)
        quoted: Array = pc.binary_join_element_wise('"', self.values, '"', "")
        if pc.all(pc.or_(plain, pc.is_null(self.values))).as_py():
            return quoted
        out = pc.if_else(plain, quoted, self._python(encode_basestring, _STRING))
        return out
