"""map_ecs for a batch of JSON records at once, over Arrow leaf columns (json_arrow).

For each column, the candidate keys present are tried best first, as map_ecs tries them per
line: a row takes the first candidate whose value is usable and converts. Which key each row
took is kept, because attrs holds every other field; attrs is assembled from per-key JSON
members. An absent key and a JSON null are alike here, as they are to map_ecs and json_attrs.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any, Final

import pyarrow as pa

from ingest.parsers.arrays import Array, json_objects, pc
from ingest.parsers.ecs import INT_COLUMNS, STATUS_KEYS, plan_of
from ingest.parsers.json_values import Values

_STRING: Final = pa.string()
_INT64: Final = pa.int64()


def _type(column: str) -> pa.DataType:
    return _INT64 if column == "event_time" or column in INT_COLUMNS else _STRING


def _convert(column: str, values: Values) -> Array:
    """The column's value from each row, null where map_ecs would try the next key."""
    if column == "event_time":
        out = values.micros()
    elif column in INT_COLUMNS:
        out = values.to_int()
    elif column in ("src_ip", "dst_ip"):
        out = values.address()
    elif column == "outcome":
        out = values.outcome()
    else:
        out = values.text_of()
    masked: Array = pc.if_else(values.usable(), out, pa.scalar(None, _type(column)))
    return masked


def map_records(leaves: dict[str, Array], n: int) -> dict[str, Any]:
    """The ECS columns and attrs of ``n`` records given as leaf columns (dotted names)."""
    values = {key: Values(array) for key, array in leaves.items()}
    taken: dict[str, Array] = {}
    out: dict[str, Any] = {}
    for column, keys, _ in plan_of(tuple(values)):
        result: Array = pa.nulls(n, _type(column))  # type: ignore[call-overload]
        for key in keys:
            converted = _convert(column, values[key])
            taken[key] = pc.and_(pc.is_valid(converted), pc.is_null(result))
            result = pc.coalesce(result, converted)
        out[column] = result
    status = _status(values, n)
    fallback = pc.if_else(
        pc.is_null(status),
        "unknown",
        pc.if_else(pc.greater_equal(status, 400), "failure", "success"),
    )
    out["outcome"] = pc.coalesce(out["outcome"], fallback) if "outcome" in out else fallback
    out["attrs"] = _attrs(values, taken, n)
    return out


def _status(values: dict[str, Values], n: int) -> Array:
    """to_int of the first present status key (first_present: not null, not ``""``)."""
    status: Array = pa.nulls(n, _INT64)
    decided = pa.array([False] * n)
    for key in STATUS_KEYS:
        value = values.get(key)
        if value is None:
            continue
        here = value.usable()
        status = pc.if_else(pc.and_(here, pc.invert(decided)), value.to_int(), status)
        decided = pc.or_(decided, here)
    return status


def _attrs(values: dict[str, Values], taken: dict[str, Array], n: int) -> Array:
    """``{"key":value,...}`` of the fields no column took, null values left out."""
    members = []
    for key, value in values.items():
        took = taken.get(key)
        if value.kind == pa.null() or (took is not None and pc.all(took).as_py()):
            continue  # no row has a value left for attrs
        member = pc.binary_join_element_wise("," + encode_basestring(key) + ":", value.member(), "")
        if took is not None and pc.any(took).as_py():
            member = pc.if_else(took, pa.scalar(None, _STRING), member)
        members.append(member)
    return json_objects(members, n)
