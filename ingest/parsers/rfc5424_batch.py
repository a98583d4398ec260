"""RFC 5424 lines of a batch with Arrow: the columns rfc5424's per-line path gives them.

The header comes from one regex pass (batch_match). The structured data (SD) is split from the
message by RE2 (ASCII lines; an element may not follow the last one taken, as the per-line
parser would then call the SD malformed): each distinct SD text is parsed by the per-line
``structured_data``, each distinct (program, message) routed to the program handlers (sshd
logins by one regex pass), and attrs is assembled from JSON members. Keys cannot collide: the
base keys (facility, msgid, procid), handler keys and SD keys (``id.name``, always dotted) are
disjoint, so concatenating members equals the per-line dict updates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from json.encoder import encode_basestring
from typing import Any, Final

import pyarrow as pa

from ingest.parsers.arrays import Array, Part, combine, json_objects, map_distinct, micros, pc
from ingest.parsers.syslog_auth import Handler, sshd
from ingest.parsers.syslog_batch import is_login, ssh_logins
from ingest.parsers.times import iso_micros, parse_iso

_STRING: Final = pa.string()
_INT64: Final = pa.int64()
_NULL: Final = pa.scalar(None, _STRING)
#: Python's ``\s`` for ASCII text (str patterns also count \x1c-\x1f as whitespace).
_S: Final = r"[\t\n\x0b\x0c\r\x1c-\x1f ]"
_NS: Final = r"[^\t\n\x0b\x0c\r\x1c-\x1f "
_ELEMENT: Final = rf'\[{_NS}\]=]+(?:{_S}+{_NS}=\]"]+="(?:[^"\\]|\\.)*")*{_S}*\]'
_SD: Final = rf"^(?P<sd>-|(?:{_ELEMENT})+)(?P<rest>.*)$"
_EXTRACT: Final = ("event_type", "action", "outcome", "user", "src_ip", "src_port", "object")


def columns(
    fields: list[Array],
    programs: Mapping[str, Handler],
    structured_data: Callable[[str], tuple[dict[str, str], str] | None],
    severities: tuple[str, ...],
) -> tuple[dict[str, Array], Array]:
    """(columns of the rows that read as RFC 5424 here, which rows those are).

    ``fields``: the header pattern's groups (pri, version, time, host, app, procid, msgid,
    rest). The other rows (SD malformed or not ASCII) go to the per-line path.
    """
    pri, _version, when, host, app, procid, msgid, rest = fields
    split = pc.extract_regex(rest, _SD)
    sd, tail = pc.struct_field(split, [0]), pc.struct_field(split, [1])
    ok = pc.and_(
        pc.and_(pc.is_valid(split), pc.string_is_ascii(rest)),
        pc.invert(pc.fill_null(pc.starts_with(tail, "["), False)),
    )
    ok = pc.fill_null(ok, False)
    take = {name: arr.filter(ok) for name, arr in
            (("pri", pri), ("when", when), ("host", host), ("app", app), ("procid", procid),
             ("msgid", msgid), ("sd", sd), ("tail", tail))}  # fmt: skip
    message = pc.ascii_ltrim(pc.fill_null(take["tail"], ""), " ")  # sd "-": the rest after it
    routed = _routed(take["app"], message, programs)
    pid = map_distinct(take["procid"], lambda p: int(p) if p.isdigit() else None, _INT64)
    msgid_nil = _nil(take["msgid"])
    out: dict[str, Array] = {
        "event_time_raw": _nil(take["when"]),
        "event_time": _times(take["when"]),
        "host": _nil(take["host"]),
        "app": _nil(take["app"]),
        "pid": pid,
        "severity": map_distinct(take["pri"], lambda p: severities[int(p) & 7], _STRING),
        "message": message,
        **{name: routed[name] for name in _EXTRACT if name in routed},
    }
    event_type = routed.get("event_type")
    out["event_type"] = msgid_nil if event_type is None else pc.coalesce(event_type, msgid_nil)
    members = [
        map_distinct(take["pri"], lambda p: f',"facility":{int(p) >> 3}', _STRING),
        map_distinct(take["msgid"], lambda m: None if m == "-" else _member("msgid", m), _STRING),
        pc.if_else(pc.is_null(pid), map_distinct(take["procid"], _procid, _STRING), _NULL),
        routed.get("attrs", pa.nulls(len(message), _STRING)),  # the handlers' members
        map_distinct(take["sd"], lambda s: _sd_members(s, structured_data), _STRING),
    ]
    out["attrs"] = json_objects(members, len(message))
    return out, ok


def _nil(values: Array) -> Array:
    out: Array = pc.if_else(pc.equal(values, "-"), _NULL, values)
    return out


def _member(key: str, value: str) -> str:
    return f",{encode_basestring(key)}:{encode_basestring(value)}"


def _procid(procid: str) -> str | None:
    return None if procid == "-" else _member("procid", procid)


def _sd_members(
    sd: str, structured_data: Callable[[str], tuple[dict[str, str], str] | None]
) -> str | None:
    parsed = structured_data(sd)
    params = parsed[0] if parsed is not None else {}
    return "".join(_member(k, v) for k, v in params.items()) or None


def _times(when: Array) -> Array:
    """parse_iso of each time (``-``: none); RFC 3339 by Arrow, the rest per distinct text."""
    fast, simple = iso_micros(when)
    nil = pc.equal(when, "-")
    out: Array = pc.if_else(nil, pa.scalar(None, _INT64), fast)
    if pc.all(pc.or_(simple, nil)).as_py():
        return out
    other = map_distinct(when, lambda t: None if t == "-" else micros(parse_iso(t)), _INT64)
    result: Array = pc.if_else(pc.or_(simple, nil), out, other)
    return result


def _routed(app: Array, message: Array, programs: Mapping[str, Handler]) -> dict[str, Any]:
    """Handler columns per distinct (program, message); ``attrs`` holds the handler's members
    (``,"k":v...``), not an object."""
    handlers = {name: programs[name] for name in pc.unique(app).to_pylist() if name in programs}
    if not handlers:
        return {}
    routed = pc.is_in(app, pa.array(list(handlers), _STRING))
    keyed = pc.binary_join_element_wise(app, message, "\x00")  # the handler comes from app
    encoded = pc.dictionary_encode(pc.if_else(routed, keyed, _NULL))
    pairs = [k.split("\x00", 1) for k in encoded.dictionary.to_pylist()]
    kinds = [handlers[a] for a, _ in pairs]
    texts = pa.array([m for _, m in pairs], _STRING)
    parts: list[Part] = []
    alone = list(range(len(pairs)))
    login = pc.and_(pa.array([k is sshd for k in kinds], pa.bool_()), is_login(texts))
    rows = pc.indices_nonzero(login).to_pylist()
    if rows:
        found, others = ssh_logins(texts.filter(login))
        taken = [rows[i] for i in sorted(set(range(len(rows))).difference(others))]
        found["attrs"] = _inner(found["attrs"])  # per key: attrs members, not objects
        parts.append((taken, found))
        alone = sorted(set(alone).difference(taken))
    if alone:
        results = [kinds[i](pairs[i][1]) for i in alone]
        columns: dict[str, list[object]] = {
            name: [r[j] if r else None for r in results] for j, name in enumerate(_EXTRACT)
        }
        columns["attrs"] = [_inner_text(r[7]) if r else None for r in results]
        parts.append((alone, columns))
    per_key = combine(parts, len(pairs))
    return {name: values.take(encoded.indices) for name, values in per_key.items()}


def _inner(attrs: Array) -> Array:
    """``{a,b}`` -> ``,a,b`` (a handler's attrs as members)."""
    body = pc.utf8_slice_codeunits(attrs, 1, -1)
    out: Array = pc.if_else(pc.equal(body, ""), _NULL, pc.binary_join_element_wise(",", body, ""))
    return out


def _inner_text(attrs: str | None) -> str | None:
    return "," + attrs[1:-1] if attrs and attrs != "{}" else None
