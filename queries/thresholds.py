"""G6 Anomaly Detection Thresholds: the file, its validation, and the tables detections join.

A thresholds file is TOML::

    serial = 3                       # must exceed every serial applied before
    description = "why this change"

    [[request_limit]]                # per user id x request type, in a fixed window
    user = "*"                       # a user id, or "*" for each user separately
    request_type = "sudo"            # action/event type, or "*" for all types together
    window_s = 3600
    max_count = 50

    [[critical_command]]             # total over all users in a fixed window
    name = "read shadow file"
    match = "/etc/shadow"            # case-insensitive substring of the command or object
    window_s = 86400
    max_total = 0

    [[data_value]]                   # allowed range of a value carried by a request
    request_type = "PUT"
    field = "bytes_out"              # bytes_in, bytes_out or attrs.<key>
    min = 0
    max = 1000000

Validation names the file and the key (``request_limit[2].max_count``). A change takes effect
only as a bundle signed by a key with the ``threshold-admin`` role (see docs/DETECTIONS.md).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from logchain.errors import ConfigError, SealInvalid
from logchain.statement import STATEMENT_TYPE, canonical_json
from queries.views import Table

PREDICATE_TYPE = "urn:logchain:thresholds:v1"
FIELDS_NUMERIC = ("bytes_in", "bytes_out")


@dataclass(frozen=True, slots=True)
class RequestLimit:
    user: str
    request_type: str
    window_s: int
    max_count: int


@dataclass(frozen=True, slots=True)
class CriticalCommand:
    name: str
    match: str
    window_s: int
    max_total: int


@dataclass(frozen=True, slots=True)
class DataValue:
    request_type: str
    field: str
    min: float | None
    max: float | None


@dataclass(frozen=True, slots=True)
class Thresholds:
    serial: int
    description: str
    request_limits: tuple[RequestLimit, ...] = ()
    critical_commands: tuple[CriticalCommand, ...] = ()
    data_values: tuple[DataValue, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "serial": self.serial,
            "description": self.description,
            "request_limit": [
                {
                    "user": r.user,
                    "request_type": r.request_type,
                    "window_s": r.window_s,
                    "max_count": r.max_count,
                }
                for r in self.request_limits
            ],
            "critical_command": [
                {"name": c.name, "match": c.match, "window_s": c.window_s, "max_total": c.max_total}
                for c in self.critical_commands
            ],
            "data_value": [
                {"request_type": d.request_type, "field": d.field, "min": d.min, "max": d.max}
                for d in self.data_values
            ],
        }


_SECTIONS = {
    "request_limit": {"user": str, "request_type": str, "window_s": int, "max_count": int},
    "critical_command": {"name": str, "match": str, "window_s": int, "max_total": int},
    "data_value": {"request_type": str, "field": str, "min": float, "max": float},
}
_OPTIONAL = {("data_value", "min"), ("data_value", "max")}


def load_thresholds(path: Path) -> Thresholds:
    """Read and validate a TOML thresholds file. Raises ConfigError naming file and key."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError("thresholds file not found", path=path) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=path) from exc
    return parse_thresholds(doc, path=path)


def parse_thresholds(doc: Mapping[str, object], *, path: Path | None = None) -> Thresholds:
    """Validate a thresholds document (TOML or its JSON form). Raises ConfigError."""
    unknown = sorted(set(doc) - {"serial", "description", *_SECTIONS})
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r}", path=path, key=unknown[0])
    serial = doc.get("serial")
    if isinstance(serial, bool) or not isinstance(serial, int) or serial < 1:
        raise ConfigError("serial must be a positive integer", path=path, key="serial")
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise ConfigError("description must be text", path=path, key="description")
    sections = {name: _section(doc, name, path) for name in _SECTIONS}
    limits = tuple(RequestLimit(**e) for e in sections["request_limit"])  # type: ignore[arg-type]
    commands = tuple(CriticalCommand(**e) for e in sections["critical_command"])  # type: ignore[arg-type]
    values = tuple(DataValue(**e) for e in sections["data_value"])  # type: ignore[arg-type]
    _check_semantics(limits, commands, values, path)
    return Thresholds(serial, description, limits, commands, values)


def _section(doc: Mapping[str, object], name: str, path: Path | None) -> list[dict[str, object]]:
    entries = doc.get(name, [])
    if not isinstance(entries, list):
        raise ConfigError(f"{name} must be an array of tables ([[{name}]])", path=path, key=name)
    out: list[dict[str, object]] = []
    spec = _SECTIONS[name]
    for i, entry in enumerate(entries):
        where = f"{name}[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError("must be a table", path=path, key=where)
        extra = sorted(set(entry) - set(spec))
        if extra:
            raise ConfigError(f"unknown key {extra[0]!r}", path=path, key=f"{where}.{extra[0]}")
        values: dict[str, object] = {}
        for key, typ in spec.items():
            value = entry.get(key)
            if value is None and (name, key) in _OPTIONAL:
                values[key] = None
                continue
            values[key] = _typed(value, typ, path, f"{where}.{key}")
        out.append(values)
    return out


def _typed(value: object, typ: type, path: Path | None, key: str) -> object:
    if value is None:
        raise ConfigError("is required", path=path, key=key)
    if typ is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if typ is int and isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ConfigError("must not be negative", path=path, key=key)
        return value
    if typ is str and isinstance(value, str) and value:
        return value
    raise ConfigError(
        f"must be {'a non-empty text' if typ is str else typ.__name__}", path=path, key=key
    )


def _check_semantics(
    limits: tuple[RequestLimit, ...],
    commands: tuple[CriticalCommand, ...],
    values: tuple[DataValue, ...],
    path: Path | None,
) -> None:
    for i, r in enumerate(limits):
        if r.window_s < 1:
            raise ConfigError("must be at least 1", path=path, key=f"request_limit[{i}].window_s")
    for i, c in enumerate(commands):
        if c.window_s < 1:
            raise ConfigError(
                "must be at least 1", path=path, key=f"critical_command[{i}].window_s"
            )
    for i, d in enumerate(values):
        key = f"data_value[{i}]"
        if d.field not in FIELDS_NUMERIC and not (
            d.field.startswith("attrs.") and len(d.field) > 6
        ):
            raise ConfigError(
                "field must be bytes_in, bytes_out or attrs.<key>", path=path, key=f"{key}.field"
            )
        if d.min is None and d.max is None:
            raise ConfigError("give min, max or both", path=path, key=key)
        if d.min is not None and d.max is not None and d.min > d.max:
            raise ConfigError("min is greater than max", path=path, key=f"{key}.min")


# ---------------------------------------------------------------- the signed change


def thresholds_payload(thresholds: Thresholds, *, log_id: str, source_sha256: str) -> bytes:
    """The in-toto Statement a threshold admin signs: the document, its serial and store."""
    statement = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": "thresholds.toml", "digest": {"sha256": source_sha256}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {"log_id": log_id, "thresholds": thresholds.to_json()},
    }
    return canonical_json(statement)


@dataclass(frozen=True, slots=True)
class ThresholdsChange:
    """A verified change: what it sets and for which store."""

    log_id: str
    thresholds: Thresholds
    source_sha256: str


def parse_thresholds_payload(payload: bytes) -> ThresholdsChange:
    """Decode a verified thresholds statement. Raises SealInvalid or ConfigError."""
    try:
        doc = json.loads(payload)
        if doc.get("predicateType") != PREDICATE_TYPE:
            raise ValueError(f"predicateType {doc.get('predicateType')!r} is not {PREDICATE_TYPE}")
        pred = doc["predicate"]
        sha = doc["subject"][0]["digest"]["sha256"]
        log_id = pred["log_id"]
        if not isinstance(log_id, str) or not isinstance(sha, str):
            raise ValueError("log_id and subject digest must be text")
        raw = pred["thresholds"]
        if not isinstance(raw, dict):
            raise ValueError("thresholds must be an object")
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise SealInvalid(None, "not a thresholds statement", detail=str(exc)) from exc
    cleaned = {k: v for k, v in raw.items() if v != []}
    cleaned["data_value"] = [
        {k: v for k, v in e.items() if v is not None} for e in raw.get("data_value", [])
    ]
    return ThresholdsChange(log_id, parse_thresholds(cleaned), sha)


# ---------------------------------------------------------------- tables for the detections

_LIMITS_SCHEMA = pa.schema(
    [  # type: ignore[arg-type]
        ("limit_id", pa.int64()),
        ("user", pa.string()),
        ("request_type", pa.string()),
        ("window_s", pa.int64()),
        ("max_count", pa.int64()),
    ]
)
_COMMANDS_SCHEMA = pa.schema(
    [  # type: ignore[arg-type]
        ("limit_id", pa.int64()),
        ("name", pa.string()),
        ("match", pa.string()),
        ("window_s", pa.int64()),
        ("max_total", pa.int64()),
    ]
)
_VALUES_SCHEMA = pa.schema(
    [  # type: ignore[arg-type]
        ("limit_id", pa.int64()),
        ("request_type", pa.string()),
        ("field", pa.string()),
        ("min_value", pa.float64()),
        ("max_value", pa.float64()),
    ]
)


def threshold_tables(thresholds: Thresholds | None) -> dict[Table, pa.Table]:
    """The G6 tables (empty when no thresholds were applied)."""
    t = thresholds or Thresholds(serial=0, description="")
    return {
        Table.G6_REQUEST_LIMITS: pa.Table.from_pylist(
            [
                {
                    "limit_id": i,
                    "user": r.user,
                    "request_type": r.request_type,
                    "window_s": r.window_s,
                    "max_count": r.max_count,
                }
                for i, r in enumerate(t.request_limits)
            ],
            schema=_LIMITS_SCHEMA,
        ),
        Table.G6_CRITICAL_COMMANDS: pa.Table.from_pylist(
            [
                {
                    "limit_id": i,
                    "name": c.name,
                    "match": c.match,
                    "window_s": c.window_s,
                    "max_total": c.max_total,
                }
                for i, c in enumerate(t.critical_commands)
            ],
            schema=_COMMANDS_SCHEMA,
        ),
        Table.G6_DATA_VALUES: pa.Table.from_pylist(
            [
                {
                    "limit_id": i,
                    "request_type": d.request_type,
                    "field": d.field,
                    "min_value": d.min,
                    "max_value": d.max,
                }
                for i, d in enumerate(t.data_values)
            ],
            schema=_VALUES_SCHEMA,
        ),
    }
