"""Field mapping for JSON records: ECS names and the common plain spellings.

For each normalised column, the flattened keys that may hold it, first match wins. The keys a
column took are removed from attrs; everything else stays there under its flattened name.

Direction of bytes: ``bytes_out`` counts bytes that left the system that wrote the record (sent
to the peer, client or destination), ``bytes_in`` bytes it received. ECS ``source.bytes`` (sent
by the source) therefore maps to ``bytes_out``, ``destination.bytes`` to ``bytes_in``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from ingest.parsers.columns import Fields, first_present, http_outcome, is_ip, to_int
from ingest.parsers.times import to_time

#: Normalised column -> candidate keys (flattened, dotted), in order of preference.
ECS_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    "event_time": ("@timestamp", "timestamp", "ts", "time", "eventTime", "datetime", "date",
                   "event.created"),
    "host": ("host.name", "host.hostname", "hostname", "host", "agent.hostname", "computer"),
    "app": ("process.name", "service.name", "app", "application", "program", "logger"),
    "pid": ("process.pid", "pid"),
    "severity": ("log.level", "level", "severity", "loglevel", "event.severity"),
    "event_type": ("event.dataset", "event.category", "event.type", "event_type", "eventType",
                   "type"),
    "event_id": ("event.id", "event_id", "eventID", "id"),
    "user": ("user.name", "user", "username", "user_name", "userName", "user.id"),
    "src_ip": ("source.ip", "src_ip", "client.ip", "source_ip", "src", "remote_addr", "clientip"),
    "src_port": ("source.port", "src_port", "client.port", "source_port", "sport"),
    "dst_ip": ("destination.ip", "dst_ip", "server.ip", "destination_ip", "dest_ip", "dst"),
    "dst_port": ("destination.port", "dst_port", "server.port", "destination_port", "dport"),
    "action": ("event.action", "action", "http.request.method", "method", "operation"),
    "object": ("file.path", "url.path", "url.original", "process.command_line", "object",
               "path", "uri", "file.name", "target"),
    "outcome": ("event.outcome", "outcome", "result"),
    "bytes_in": ("bytes_in", "bytesIn", "bytes_received", "destination.bytes",
                 "http.request.body.bytes", "http.request.bytes"),
    "bytes_out": ("bytes_out", "bytesOut", "bytes_sent", "source.bytes",
                  "http.response.body.bytes", "http.response.bytes", "bytes"),
    "message": ("message", "msg", "log", "@message", "text"),
}  # fmt: skip
INT_COLUMNS: Final = frozenset({"pid", "src_port", "dst_port", "bytes_in", "bytes_out"})
STATUS_KEYS: Final = ("http.response.status_code", "status_code", "status")
_SUCCESS: Final = frozenset({"success", "succeeded", "ok", "allowed", "allow", "accepted", "pass"})
_FAILURE: Final = frozenset(
    {"failure", "failed", "fail", "error", "denied", "deny", "blocked", "rejected", "refused"}
)


#: Flattened key -> (column, rank among the column's keys); built once from ECS_KEYS.
_KEY_RANK: Final = MappingProxyType(
    {key: (column, rank) for column, keys in ECS_KEYS.items() for rank, key in enumerate(keys)}
)


def candidates(flat: Mapping[str, object]) -> dict[str, list[tuple[int, str]]]:
    """Per column, the (rank, key) of every candidate key ``flat`` has with a usable value.

    One pass over the record's keys (fewer than the candidate keys of all columns).
    """
    found: dict[str, list[tuple[int, str]]] = {}
    for key, value in flat.items():
        hit = _KEY_RANK.get(key)
        if hit is None or value is None or value == "" or isinstance(value, dict):
            continue
        column, rank = hit
        found.setdefault(column, []).append((rank, key))
    return found


def outcome_of(value: object) -> str:
    """'success' / 'failure' / 'unknown' from a free-text or boolean outcome."""
    if isinstance(value, bool):
        return "success" if value else "failure"
    text = str(value).strip().lower()
    if text in _SUCCESS:
        return "success"
    if text in _FAILURE:
        return "failure"
    return "unknown"


def text_of(value: object) -> str | None:
    """A value as column text (lists joined with ',')."""
    if value is None:
        return None
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


#: Record shape (its flattened keys, in order) -> what map_ecs tries, per column: the candidate
#: keys the shape has, best first, and the column's converter. Shapes repeat (one per kind of
#: event a source writes), so the ranking is done once per shape, not per line.
Plan = tuple[tuple[str, tuple[str, ...], Callable[[object], object]], ...]
_PLANS: dict[tuple[str, ...], Plan] = {}
_PLAN_LIMIT: Final = 10_000


def map_ecs(flat: Mapping[str, object], f: Fields) -> set[str]:
    """Fill ``f`` from an ECS / plain JSON record; returns the keys it used.

    Per column, the first candidate key (in ECS_KEYS order) whose value is usable (not null,
    empty or an object) and converts to the column's type wins.
    """
    shape = tuple(flat)
    plan = _PLANS.get(shape)
    if plan is None:
        if len(_PLANS) > _PLAN_LIMIT:
            _PLANS.clear()
        plan = _PLANS[shape] = plan_of(shape)
    used: set[str] = set()
    for column, keys, convert in plan:
        for key in keys:
            value = flat[key]
            if value is None or value == "" or isinstance(value, dict):
                continue
            converted = convert(value)
            if converted is not None:
                setattr(f, column, converted)
                used.add(key)
                break
    if f.outcome is None:
        f.outcome = http_outcome(to_int(first_present(flat, STATUS_KEYS)))
    return used


def plan_of(shape: tuple[str, ...]) -> Plan:
    """What map_ecs tries for records of this shape (see Plan)."""
    found: dict[str, list[tuple[int, str]]] = {}
    for key in shape:
        hit = _KEY_RANK.get(key)
        if hit is not None:
            found.setdefault(hit[0], []).append((hit[1], key))
    return tuple(
        (column, tuple(key for _, key in sorted(keys)), CONVERTERS.get(column, text_of))
        for column, keys in found.items()
    )


def _ip(value: object) -> str | None:
    return value if isinstance(value, str) and is_ip(value) else None


def _convert(column: str, value: object) -> object:
    """``value`` as the column's type, or None when it does not fit (the next key is tried)."""
    if column == "event_time":
        return to_time(value)
    if column in INT_COLUMNS:
        return to_int(value)
    if column in ("src_ip", "dst_ip"):
        return value if isinstance(value, str) and is_ip(value) else None
    if column == "outcome":
        return outcome_of(value)
    return text_of(value)


#: The converter of each column that is not text.
CONVERTERS: Final[Mapping[str, Callable[[object], object]]] = MappingProxyType(
    {
        "event_time": to_time,
        **dict.fromkeys(INT_COLUMNS, to_int),
        "src_ip": _ip,
        "dst_ip": _ip,
        "outcome": outcome_of,
    }
)
