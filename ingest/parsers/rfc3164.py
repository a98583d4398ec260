"""BSD syslog (RFC 3164) as written to auth.log, secure, messages and macOS system.log.

``[<PRI>]Mmm dd hh:mm:ss host program[pid]: message`` (also with an RFC 3339 timestamp, as
rsyslog's high-precision file format writes it). The header is split for the whole batch by one
``findall`` over the batch's text; then each line is routed by program to a small handler
(:mod:`~ingest.parsers.syslog_auth`, :mod:`~ingest.parsers.syslog_system`). Lines the fast path
cannot split are retried one by one with more lenient patterns (program names with spaces, a
``(context)`` after the pid, no program at all); a line without a syslog timestamp gets
``parse_error`` and keeps its text as the message.

``message repeated N times: [ ... ]`` is parsed as the repeated message, with ``"repeated": N``
in attrs: that one line stands for N further occurrences of the message, so attempts are counted
as ``sum(coalesce(json_extract(attrs, '$.repeated')::INT, 1))``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Final

import pyarrow as pa

from ingest.parsers.arrays import Array, Part, combine, decode_batch, decode_line, finish, pc
from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.columns import dumps
from ingest.parsers.syslog_auth import Extract, Handler, login, pam, sshd, su, sudo
from ingest.parsers.syslog_fast import fast_columns, fast_mask
from ingest.parsers.syslog_system import cron, kernel, udisks
from ingest.parsers.times import BsdClock, load_zone, parse_iso

NAME: Final = "rfc3164"
VERSION: Final = "1"

#: Message handlers by program name (the syslog tag without the pid).
PROGRAMS: Final[Mapping[str, Handler]] = MappingProxyType(
    {
        "sshd": sshd,
        "sudo": sudo,
        "su": su,
        "login": login,
        "kernel": kernel,
        "udisksd": udisks,
        "udisks-daemon": udisks,
        "CRON": cron,
        "cron": cron,
        "crond": cron,
    }
)
SEVERITIES: Final = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")

_TS = (
    r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.\d]*(?:Z|[+-]\d\d:\d\d)"
)
_BATCH: Final = re.compile(
    rf"^(?:<(\d{{1,3}})>)?({_TS}) (\S+) ([^ \[:\n]+)(?:\[(\d+)\])?: ([^\n]*)$", re.M
)
#: _BATCH or, failing it, the whole line (7th group): exactly one match per line.
_BATCH_ANY: Final = re.compile(
    rf"^(?:(?:<(\d{{1,3}})>)?({_TS}) (\S+) ([^ \[:\n]+)(?:\[(\d+)\])?: ([^\n]*)|([^\n]*))$", re.M
)
_LENIENT: Final = re.compile(
    rf"(?:<(\d{{1,3}})>)?({_TS}) (\S+) ([^\[:]+?)(?:\[(\d+)\])?(?: \([^)]*\))?: (.*)$", re.S
)
_NO_TAG: Final = re.compile(rf"(?:<(\d{{1,3}})>)?({_TS}) (\S+) ?(.*)$", re.S)
_REPEATED: Final = re.compile(r"message repeated (\d+) times: \[ ?(.*?)\]?$")

#: (pri, timestamp, host, program, pid, message) as split from one line.
Head = tuple[str, str, str, str, str, str]
_EMPTY: Final = (None, None, None, None, None, None, None, None)


@dataclass(slots=True)
class Rfc3164Parser:
    """Parser instance; holds the timestamp memo (see :class:`~ingest.parsers.times.BsdClock`)."""

    clock: BsdClock
    name: str = NAME
    version: str = VERSION
    #: PROGRAMS as a plain dict (a faster lookup than the read-only view, once per line).
    programs: dict[str, Handler] = field(default_factory=lambda: dict(PROGRAMS))

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns for ``lines``; lines that are not syslog get ``parse_error``.

        Lines in the common layout go through the Arrow fast path (:mod:`syslog_fast`), the
        others (invalid UTF-8, other digits, no tag, ...) through the per-line code below.
        """
        n = len(lines)
        memo = self.clock.start_batch()
        if n == 0:
            return finish({}, 0, NAME, VERSION)
        text, errors = decode_batch(lines)
        fast = fast_mask(text)
        if errors is not None:
            fast = pc.and_(fast, pa.array([e is None for e in errors]))
        if pc.all(fast).as_py():
            return finish(self._fast(text), n, NAME, VERSION)
        slow_rows = pc.indices_nonzero(pc.invert(fast)).to_pylist()
        parts: list[Part] = [(slow_rows, self._slow([lines[i] for i in slow_rows], memo))]
        if len(slow_rows) < n:
            parts.append((pc.indices_nonzero(fast).to_pylist(), self._fast(text.filter(fast))))
        merged = combine(parts, n)
        return finish(merged, n, NAME, VERSION)

    def _fast(self, text: Array) -> dict[str, Array]:
        return fast_columns(text, self.clock, self.programs, _extract, SEVERITIES)

    def _slow(
        self, lines: Sequence[bytes], memo: dict[str, datetime | None]
    ) -> dict[str, list[object]]:
        """Columns of lines one by one (the lenient fallbacks, any text)."""
        heads, errors = split_headers(lines)
        convert = self.clock.convert
        programs = self.programs
        seen: dict[tuple[Handler, str], Extract | tuple[None, ...]] = {}  # this batch only
        times: list[datetime | None] = []
        extracts: list[Extract | tuple[None, ...]] = []
        for pri, ts, _host, app, _pid, msg in heads:
            when = memo.get(ts)
            if when is None and ts not in memo:
                when = memo[ts] = convert(ts) if ts[:1].isalpha() else parse_iso(ts)
            times.append(when)
            handler = programs.get(app)
            if handler is None:
                if msg[:4] not in ("pam_", "PAM "):
                    extracts.append(_with_facility(_EMPTY, int(pri)) if pri else _EMPTY)
                    continue
                handler = pam
            key = (handler, msg)
            ext = seen.get(key)
            if ext is None:
                ext = seen[key] = _extract(handler, msg) or _EMPTY
            extracts.append(_with_facility(ext, int(pri)) if pri else ext)
        return _columns(heads, times, extracts, errors)


def _extract(handler: Handler, msg: str) -> Extract | None:
    if msg[:17] != "message repeated ":
        return handler(msg)
    m = _REPEATED.match(msg)
    if m is None:
        return None
    inner = handler(m[2])
    if inner is None:
        return None
    attrs: dict[str, object] = json.loads(inner[7]) if inner[7] else {}
    attrs["repeated"] = int(m[1])
    return (*inner[:7], dumps(attrs))


def _with_facility(base: Extract | tuple[None, ...], pri: int) -> Extract | tuple[None, ...]:
    """``base`` with the syslog facility (PRI >> 3) added to its attrs."""
    attrs: dict[str, object] = json.loads(base[7]) if base[7] else {}
    attrs["facility"] = pri >> 3
    return (*base[:7], dumps(attrs))


def _columns(
    heads: list[Head],
    times: list[datetime | None],
    extracts: list[Extract | tuple[None, ...]],
    errors: list[str | None],
) -> dict[str, list[object]]:
    n = len(heads)
    ev, act, out, user, sip, sport, obj, attrs = (
        [list(c) for c in zip(*extracts, strict=True)] if n else [[] for _ in range(8)]
    )
    return {
        "event_time": list(times),
        "event_time_raw": [h[1] or None for h in heads],
        "host": [h[2] or None for h in heads],
        "app": [h[3] or None for h in heads],
        "pid": [int(h[4]) if h[4] else None for h in heads],
        "severity": [SEVERITIES[int(h[0]) & 7] if h[0] else None for h in heads],
        "event_type": ev,
        "user": user,
        "src_ip": sip,
        "src_port": sport,
        "action": act,
        "object": obj,
        "outcome": out,
        "message": [h[5] for h in heads],
        "attrs": attrs,
        "parse_error": list(errors),
    }


def split_headers(lines: Sequence[bytes]) -> tuple[list[Head], list[str | None]]:
    """Header parts of every line, and per-line errors.

    Fast path: one ``findall`` over the batch's text. When some lines do not fit it (or hold
    invalid UTF-8), a second ``findall`` with a catch-all branch finds which, and only those go
    through the per-line fallbacks.
    """
    n = len(lines)
    joined = b"\n".join(lines)
    try:
        text, clean = joined.decode("utf-8"), True
    except UnicodeDecodeError:
        text, clean = joined.decode("utf-8", "surrogateescape"), False
    # A CR that ended a line goes (derived text only); the line count stays the same.
    text = text.replace("\r\n", "\n").removesuffix("\r")
    if clean:
        heads: list[Head] = _BATCH.findall(text)
        if len(heads) == n:
            return heads, [None] * n
    rows = _BATCH_ANY.findall(text)
    if len(rows) != n:  # cannot happen (one match per line); stay correct regardless
        rows = [("",) * 7] * n
    out: list[Head] = []
    errors: list[str | None] = []
    for line, row in zip(lines, rows, strict=True):
        if row[1] and (clean or _is_utf8(line)):
            out.append(row[:6])
            errors.append(None)
        else:
            head, err = _split_line(line)
            out.append(head)
            errors.append(err)
    return out, errors


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _split_line(line: bytes) -> tuple[Head, str | None]:
    text, err = decode_line(line)  # without its trailing CR
    m = _LENIENT.match(text)
    if m:
        pri, ts, host, app, pid, msg = m.groups(default="")
        return (pri, ts, host, app.strip(), pid, msg), err
    m = _NO_TAG.match(text)
    if m:
        pri, ts, host, msg = m.groups(default="")
        return (pri, ts, host, "", "", msg), err
    return ("", "", "", "", "", text), err or "not BSD syslog: no 'Mmm dd hh:mm:ss host' header"


def make_rfc3164(options: ParserOptions) -> Rfc3164Parser:
    """A BSD syslog parser; raises UsageError for an unknown timezone."""
    clock = BsdClock(load_zone(options.timezone), options.year, options.reference_time_ns)
    return Rfc3164Parser(clock)
