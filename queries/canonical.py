"""The canonical encoding of a result set, and its hash (what a receipt signs).

Encoding ``logchain/v1/result-canonical-json`` (documented in docs/QUERIES.md):

* line 1: canonical JSON (sorted keys, no spaces, UTF-8) of
  ``{"columns": [[name, kind], ...]}`` where kind is one of ``bool int float decimal text
  binary timestamp date time interval list struct null``;
* then one line per row: the canonical JSON array of the row's values, the rows sorted by
  their encoded bytes (so a result hashes the same whatever order the engine produced);
* values: null; booleans; integers; floats as JSON numbers rounded to 12 significant digits
  (parallel aggregation may change the last bits of a float sum), non-finite floats as the
  texts ``"NaN"``, ``"Infinity"``, ``"-Infinity"``; decimals as text; timestamps as RFC 3339 UTC
  text with microseconds (``2026-01-31T10:00:00.000000Z``); dates as ``YYYY-MM-DD``; binary as
  lowercase hex; intervals as integer microseconds; lists as arrays; structs and maps as objects.

The hash is SHA-256 over the lines, each followed by ``\\n``.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pyarrow as pa

from logchain.statement import canonical_json

ENCODING = "logchain/v1/result-canonical-json"


def _kind(t: pa.DataType) -> str:
    checks = (
        (pa.types.is_boolean, "bool"),
        (pa.types.is_integer, "int"),
        (pa.types.is_floating, "float"),
        (pa.types.is_decimal, "decimal"),
        (lambda x: pa.types.is_string(x) or pa.types.is_large_string(x), "text"),
        (lambda x: pa.types.is_binary(x) or pa.types.is_large_binary(x), "binary"),
        (pa.types.is_timestamp, "timestamp"),
        (pa.types.is_date, "date"),
        (pa.types.is_time, "time"),
        (lambda x: pa.types.is_duration(x) or pa.types.is_interval(x), "interval"),
        (lambda x: pa.types.is_list(x) or pa.types.is_large_list(x), "list"),
        (lambda x: pa.types.is_struct(x) or pa.types.is_map(x), "struct"),
        (pa.types.is_dictionary, "text"),
    )
    for check, name in checks:
        if check(t):
            return name
    return "null" if pa.types.is_null(t) else str(t)


def _value(v: object) -> object:
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return float(format(v, ".12g"))
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, datetime):
        aware = v if v.tzinfo else v.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(v, date | time):
        return v.isoformat()
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, timedelta):
        return (v.days * 86400 + v.seconds) * 1_000_000 + v.microseconds
    if isinstance(v, dict):
        return {str(k): _value(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        if v and all(isinstance(x, tuple) and len(x) == 2 for x in v):  # a map's items
            return {str(k): _value(x) for k, x in v}
        return [_value(x) for x in v]
    return str(v)


def header(table: pa.Table) -> bytes:
    cols = [[f.name, _kind(f.type)] for f in table.schema]
    return canonical_json({"columns": cols})


def canonical_rows(table: pa.Table) -> list[bytes]:
    """Each row as canonical JSON bytes, in the result's order."""
    names = table.column_names
    return [canonical_json([_value(r[n]) for n in names]) for r in table.to_pylist()]


def result_hash(table: pa.Table) -> str:
    """Hex SHA-256 of the canonical encoding of ``table``."""
    h = hashlib.sha256(header(table) + b"\n")
    for row in sorted(canonical_rows(table)):
        h.update(row + b"\n")
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class RowDiff:
    """Rows only in the signed result, and rows only in the replayed one."""

    header_changed: bool
    missing: tuple[str, ...]
    extra: tuple[str, ...]


def diff_rows(signed: pa.Table, replayed: pa.Table) -> RowDiff:
    """Which canonical rows differ between two results (as a multiset)."""
    a, b = Counter(canonical_rows(signed)), Counter(canonical_rows(replayed))
    missing = sorted((a - b).elements())
    extra = sorted((b - a).elements())
    return RowDiff(
        header_changed=header(signed) != header(replayed),
        missing=tuple(r.decode() for r in missing),
        extra=tuple(r.decode() for r in extra),
    )
