"""Building blocks shared by the parsers: line decoding, one row of fields, rows to columns.

Every parser fills a :class:`Fields` per line (all attributes start as None) and turns the batch
into columns with :func:`to_derived`. The syslog parser, whose speed matters most, builds its
columns directly but uses the same decoding and JSON helpers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Final

from ingest.parsers.base import Derived
from logchain.schema import DERIVED_COLUMNS

_IPV4: Final = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}$")
#: JSON string quoting exactly as json.dumps(ensure_ascii=False) does it (C accelerated).
_quote: Final = encode_basestring

#: The columns a parser fills: the derived columns plus ``parse_error``.
FIELD_NAMES: Final = (*DERIVED_COLUMNS, "parse_error")


class Fields:
    """The derived values of one line; every attribute starts as None."""

    __slots__ = FIELD_NAMES

    event_time: datetime | None
    event_time_raw: str | None
    host: str | None
    app: str | None
    pid: int | None
    severity: str | None
    event_type: str | None
    event_id: str | None
    user: str | None
    src_ip: str | None
    src_port: int | None
    dst_ip: str | None
    dst_port: int | None
    action: str | None
    object: str | None
    outcome: str | None
    bytes_in: int | None
    bytes_out: int | None
    message: str | None
    attrs: str | None
    parse_error: str | None

    def __init__(self) -> None:
        for name in FIELD_NAMES:
            setattr(self, name, None)


_GETTERS: Final = tuple((name, attrgetter(name)) for name in FIELD_NAMES)


def to_derived(rows: Sequence[Fields], name: str, version: str) -> Derived:
    """Columns of ``rows`` plus the parser name and version columns."""
    out: Derived = {col: list(map(get, rows)) for col, get in _GETTERS}
    n = len(rows)
    out["parser"] = [name] * n
    out["parser_version"] = [version] * n
    return out


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
        if value is None:
            continue
        if isinstance(value, str):
            parts.append(f"{_quote(key)}:{_quote(value)}")
        elif value is True:
            parts.append(f"{_quote(key)}:true")
        elif isinstance(value, int) and value is not False:
            parts.append(f"{_quote(key)}:{value}")
        else:
            parts.append(f"{_quote(key)}:{json.dumps(value, ensure_ascii=False, default=str)}")
    return "{" + ",".join(parts) + "}" if parts else None


def flatten(value: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """Nested JSON objects as one level with dotted keys (``{"a": {"b": 1}}`` -> ``{"a.b": 1}``).

    Lists stay values. A key that already holds a dot keeps it (the result may then merge two
    spellings of one name: the first one seen wins).
    """
    out: dict[str, object] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict) and item:
            for k, v in flatten(item, f"{name}.").items():
                out.setdefault(k, v)
        else:
            out.setdefault(name, item)
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
