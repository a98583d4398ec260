"""Building blocks shared by the parsers: line decoding, one row of fields, rows to columns.

Every parser fills a :class:`Fields` per line (all attributes start as None) and turns the batch
into columns with :func:`to_derived`. The syslog parser, whose speed matters most, builds its
columns directly but uses the same decoding and JSON helpers.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Final

from ingest.parsers.arrays import Array, Part, combine, finish
from ingest.parsers.base import Derived
from logchain.schema import DERIVED_COLUMNS

_IPV4: Final = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}$")
#: JSON string quoting exactly as json.dumps(ensure_ascii=False) does it (C accelerated).
_quote: Final = encode_basestring

#: The columns a parser fills: the derived columns plus ``parse_error``.
FIELD_NAMES: Final = (*DERIVED_COLUMNS, "parse_error")


class Fields:
    """The derived values of one line; every attribute reads None until set.

    Defaults live on the class, so a new instance costs no per-field assignment (measured: the
    assignments were a tenth of a JSON line's parse time).
    """

    event_time: datetime | None = None
    event_time_raw: str | None = None
    host: str | None = None
    app: str | None = None
    pid: int | None = None
    severity: str | None = None
    event_type: str | None = None
    event_id: str | None = None
    user: str | None = None
    src_ip: str | None = None
    src_port: int | None = None
    dst_ip: str | None = None
    dst_port: int | None = None
    action: str | None = None
    object: str | None = None
    outcome: str | None = None
    bytes_in: int | None = None
    bytes_out: int | None = None
    message: str | None = None
    attrs: str | None = None
    parse_error: str | None = None


_GETTERS: Final = tuple((name, attrgetter(name)) for name in FIELD_NAMES)


def to_derived(rows: Sequence[Fields], name: str, version: str) -> Derived:
    """Columns of ``rows`` (typed Arrow arrays) plus the parser name and version columns."""
    return finish({col: list(map(get, rows)) for col, get in _GETTERS}, len(rows), name, version)


def merge_slow_lines(
    fast: Mapping[str, Sequence[object] | Array],
    n: int,
    others: Sequence[int],
    slow: Sequence[Fields],
    name: str,
    version: str,
) -> Derived:
    """A batch parser's output for ``n`` lines: ``fast`` holds the columns of every line not in
    ``others`` (in line order), ``slow`` the per-line fields of the lines in ``others``."""
    if not others:
        return finish(fast, n, name, version)
    per_line = to_derived(slow, name, version)
    per_line.pop("parser"), per_line.pop("parser_version")
    taken = sorted(set(range(n)).difference(others))
    parts: list[Part] = [(taken, fast), (others, per_line)]
    return finish(combine(parts, n), n, name, version)


def dumps(values: Mapping[str, object]) -> str:
    """Compact JSON object text of ``values`` (non-JSON values such as datetimes as strings)."""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=str)


def json_attrs(values: Mapping[str, object]) -> str | None:
    """Compact JSON object text of ``values`` without its None entries (None when empty).

    Same text as :func:`dumps` of the kept entries; strings and ints are written directly (several
    times faster than the JSON encoder on the small objects that syslog lines give).
    """
    parts = []
    for key, value in values.items():
        if value is not None:
            parts.append(f"{_quote(key)}:{json_value(value)}")
    return "{" + ",".join(parts) + "}" if parts else None


def json_value(value: object) -> str:
    """One value as JSON text, as json_attrs writes it."""
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)  # what the JSON encoder writes for a finite float
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "[" + ",".join(_quote(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False, default=str)


def flatten(
    value: Mapping[str, object], prefix: str = "", into: dict[str, object] | None = None
) -> dict[str, object]:
    """Nested JSON objects as one level with dotted keys (``{"a": {"b": 1}}`` -> ``{"a.b": 1}``).

    Lists and empty objects stay values. A key that already holds a dot keeps it (the result may
    then merge two spellings of one name: the first one seen wins). ``into`` collects the result.
    """
    out: dict[str, object] = {} if into is None else into
    for key, item in value.items():
        name = prefix + key
        if type(item) is dict and item:
            flatten(item, name + ".", out)
        elif name not in out:
            out[name] = item
    return out


def to_int(value: object) -> int | None:
    """``value`` as an int if it is one (or a whole float, or decimal digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and value.isdigit() and value.isascii():
        return int(value)
    return None


def is_ip(text: str | None) -> bool:
    """True for an IPv4 dotted quad or anything containing ':' and hex digits (IPv6)."""
    if not text:
        return False
    if _IPV4.match(text):
        return True
    return ":" in text and all(c in "0123456789abcdefABCDEF:." for c in text)


def http_outcome(status: int | None) -> str:
    """'failure' for HTTP status >= 400, 'success' below, 'unknown' without one."""
    if status is None:
        return "unknown"
    return "failure" if status >= 400 else "success"


def first_present(record: Mapping[str, object], keys: Iterable[str]) -> object:
    """The value of the first key of ``keys`` that ``record`` has with a non-empty value."""
    for key in keys:
        value = record.get(key)
        if value is not None and value != "":
            return value
    return None
