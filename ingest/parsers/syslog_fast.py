"""BSD syslog lines in the common layout, split and routed for a whole batch with Arrow.

A line takes this path when it is valid UTF-8 and matches :data:`FAST`: the layout of
``rfc3164._BATCH`` restricted to ASCII digits (Python's ``\\d`` also takes other scripts' digits)
and pids of at most 18 digits (they fit int64). Such a line splits into exactly the fields
``_BATCH`` gives it: a BSD timestamp is 15 characters, an RFC 3339 one ends at the first space,
then the host and the tag (``app[pid]:``) end at the next spaces (neither can hold one). Every
other line goes through the per-line code in :mod:`~ingest.parsers.rfc3164`.

Per-line Python is avoided: Arrow kernels split the fields; timestamps are converted per distinct
hour (:meth:`~ingest.parsers.times.BsdClock.micros`); each distinct (program handler, message)
pair is handled once and its fields spread to the lines with ``take``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Final

import pyarrow as pa

from ingest.parsers.arrays import Array, Part, combine, map_distinct, micros, pc
from ingest.parsers.columns import dumps
from ingest.parsers.syslog_auth import Extract, Handler, pam, sshd
from ingest.parsers.syslog_batch import is_login, is_received, ssh_logins, ssh_received
from ingest.parsers.times import BsdClock, parse_iso

#: Python's ``\\s`` (str patterns) as an RE2 class body: host names stop at any of these.
_PY_SPACE: Final = (
    r"\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
    r"\x{202f}\x{205f}\x{3000}"
)
_BSD: Final = r"[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}"
_ISO: Final = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.0-9]*(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
#: RE2 test of the fast layout (a match without captures: RE2's quick case).
FAST: Final = (
    rf"^(?:<[0-9]{{1,3}}>)?(?:{_BSD}|{_ISO}) [^{_PY_SPACE}]+ [^ \[:\n]+(?:\[[0-9]{{1,18}}\])?: "
)
_PRI: Final = r"^<(?P<pri>[0-9]{1,3})>"
#: Extract fields: (event_type, action, outcome, user, src_ip, src_port, object, attrs).
_EXTRACT_COLUMNS: Final[tuple[tuple[str, pa.DataType], ...]] = (
    ("event_type", pa.string()), ("action", pa.string()), ("outcome", pa.string()),
    ("user", pa.string()), ("src_ip", pa.string()), ("src_port", pa.int32()),
    ("object", pa.string()), ("attrs", pa.string()),
)  # fmt: skip
_INT64: Final = pa.int64()


_LETTER: Final = pa.scalar(b"A", pa.binary())
_END: Final = 2**31 - 1  # binary_slice needs a stop (none: "to the end" fails in pyarrow 26)


def _text(values: Array) -> Array:
    """Bytes known to be valid UTF-8 as strings (no copy, no check)."""
    out: Array = values.view(pa.string())
    return out


def fast_mask(text: Array) -> Array:
    """Which lines of ``text`` take the fast path."""
    mask: Array = pc.match_substring_regex(text, FAST)
    return mask


def fast_columns(
    text: Array,
    clock: BsdClock,
    programs: Mapping[str, Handler],
    extract: Callable[[Handler, str], Extract | None],
    severities: tuple[str, ...],
) -> dict[str, Array]:
    """Columns of lines that all match :data:`FAST` (``extract`` reads a routed message)."""
    pri: Array | None = None
    if pc.any(pc.starts_with(text, "<")).as_py():
        pri = pc.struct_field(pc.extract_regex(text, _PRI), [0]).cast(_INT64)
        text = pc.replace_substring_regex(text, _PRI, "", max_replacements=1)
    # The split works on the bytes (binary kernels do not decode UTF-8: several times faster);
    # it cuts at ASCII spaces and brackets only, so every piece is valid UTF-8 again (view).
    raw = text.cast(pa.binary())
    bsd = pc.greater_equal(pc.binary_slice(raw, 0, 1), _LETTER)  # digits (RFC 3339) sort lower
    if pc.all(bsd).as_py():
        stamp = _text(pc.binary_slice(raw, 0, 15))
        rest = pc.binary_slice(raw, 16, _END)
        when = clock.micros(stamp)
    else:  # RFC 3339 timestamps (rsyslog's high-precision format): end at the first space
        first = pc.split_pattern(raw, " ", max_splits=1)
        stamp = _text(pc.if_else(bsd, pc.binary_slice(raw, 0, 15), pc.list_element(first, 0)))
        rest = pc.if_else(bsd, pc.binary_slice(raw, 16, _END), pc.list_element(first, 1))
        when = map_distinct(stamp, lambda s: micros(parse_iso(s)), _INT64)
        if pc.any(bsd).as_py():
            when = pc.replace_with_mask(when, bsd, clock.micros(stamp.filter(bsd)))
    parts = pc.split_pattern(rest, " ", max_splits=2)
    host, tag, message = (_text(pc.list_element(parts, i)) for i in range(3))
    # "app[pid]:" or "app:" -> app, pid ("[" appended so that every tag has a second part)
    pieces = pc.split_pattern(pc.binary_join_element_wise(tag, "[", ""), "[", max_splits=1)
    app = pc.ascii_rtrim(_text(pc.list_element(pieces, 0)), ":")
    pid_text = pc.ascii_rtrim(_text(pc.list_element(pieces, 1)), "]:[")
    pid = pc.if_else(pc.equal(pid_text, ""), pa.scalar(None, pa.string()), pid_text).cast(_INT64)
    columns: dict[str, Array] = {
        "event_time": when,
        "event_time_raw": stamp,
        "host": host,
        "app": app,
        "pid": pid,
        "message": message,
    }
    columns.update(_routed(app, message, programs, extract))
    if pri is not None:
        _add_pri(columns, pri, severities)
    return columns


def _routed(
    app: Array,
    message: Array,
    programs: Mapping[str, Handler],
    extract: Callable[[Handler, str], Extract | None],
) -> dict[str, Array]:
    """The handler fields of every line, computed once per distinct (handler, message).

    Also returns the ``app`` column, dictionary-encoded (done here for the routing anyway).
    """
    apps = pc.dictionary_encode(app)
    handlers: list[Handler] = [pam]
    app_route = []  # per distinct app: index into handlers, -1 for none
    for name in apps.dictionary.to_pylist():
        handler = programs.get(name)
        if handler is None:
            app_route.append(-1)
        else:
            if handler not in handlers:
                handlers.append(handler)
            app_route.append(handlers.index(handler))
    route = pa.array(app_route, _INT64).take(apps.indices)
    # A pam_unix message from a program without a handler goes to the PAM handler (index 0).
    pam_like = pc.or_(pc.starts_with(message, "pam_"), pc.starts_with(message, "PAM "))
    route = pc.if_else(pc.and_(pc.equal(route, -1), pam_like), 0, route)
    messages = pc.dictionary_encode(message)
    key = pc.add(pc.multiply(messages.indices.cast(_INT64), len(handlers)), route)
    key = pc.if_else(pc.equal(route, -1), pa.scalar(None, _INT64), key)
    keys = pc.dictionary_encode(key)
    distinct = keys.dictionary.to_numpy(zero_copy_only=False)
    texts = messages.dictionary.take(pa.array(distinct // len(handlers)))
    kinds = [handlers[h] for h in (distinct % len(handlers)).tolist()]
    parts: list[Part] = []
    alone = list(range(len(distinct)))
    if sshd in handlers:  # sshd messages that are all distinct: one regex pass each kind
        is_sshd = pa.array([k is sshd for k in kinds])
        for wanted, batch in ((is_login, ssh_logins), (is_received, ssh_received)):
            chosen = pc.and_(is_sshd, wanted(texts))
            rows = pc.indices_nonzero(chosen).to_pylist()
            if rows:
                found, others = batch(texts.filter(chosen))  # the columns of the rest
                taken = [rows[i] for i in sorted(set(range(len(rows))).difference(others))]
                parts.append((taken, found))
                alone = sorted(set(alone).difference(taken))
    if alone:
        values = texts.take(pa.array(alone, _INT64)).to_pylist()
        found_rows = [
            extract(kinds[i], text) or (None,) * 8 for i, text in zip(alone, values, strict=True)
        ]
        columns = {
            name: [row[j] for row in found_rows] for j, (name, _) in enumerate(_EXTRACT_COLUMNS)
        }
        parts.append((alone, columns))
    per_key = combine(parts, len(distinct)) if parts else {}
    out = {
        name: values.take(keys.indices)
        for name, values in per_key.items()
        if values.null_count < len(values)  # an all-null column is left out (null)
    }
    out["app"] = apps  # the programs, dictionary-encoded once
    return out


def _add_pri(columns: dict[str, Array], pri: Array, severities: tuple[str, ...]) -> None:
    """Severity from PRI & 7 and the facility (PRI >> 3) into attrs, for lines with a PRI."""
    names = pa.array(severities)
    columns["severity"] = names.take(pc.bit_wise_and(pri, 7))
    given = columns.get("attrs")
    attrs: list[str | None] = given.to_pylist() if given is not None else [None] * len(pri)
    memo: dict[tuple[str | None, int], str] = {}
    for i, p in enumerate(pri.to_pylist()):
        if p is None:
            continue
        text = attrs[i]
        key = (text, p >> 3)
        if key not in memo:
            base: dict[str, Any] = json.loads(text) if text else {}
            base["facility"] = p >> 3
            memo[key] = dumps(base)
        attrs[i] = memo[key]
    columns["attrs"] = pa.array(attrs, pa.string())
