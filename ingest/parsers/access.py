"""Web server access logs: NCSA common and combined formats (Apache, nginx, Tomcat).

``host ident user [time] "request" status bytes ["referer" "user-agent"] [extra]``.
src_ip = host (when it is an address), user = the authenticated user, action = the method,
object = the path with its query, outcome = failure for status >= 400, bytes_out = the
response size (bytes that left the server). The status, protocol, referer and user agent go to
attrs (``CAST(attrs->>'status' AS INT)``). A request that is not ``METHOD target PROTOCOL``
(``"-"``, or raw TLS bytes sent to a plain HTTP port) keeps its text in attrs ``request``.

Speed: the fields of a whole batch come from one regex pass (:mod:`batch_match`); everything
derived from a field (time, address test, request split, attrs pieces) is computed once per
distinct value. Lines the batch pattern does not take (Tomcat's unescaped quotes, invalid UTF-8,
other formats) are parsed one by one as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring
from typing import Final

import pyarrow as pa

from ingest.parsers.arrays import (
    Array,
    constant,
    decode_line,
    ip_mask,
    json_objects,
    map_distinct,
    pc,
)
from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.batch_match import BatchPattern
from ingest.parsers.columns import (
    Fields,
    http_outcome,
    is_ip,
    json_attrs,
    merge_slow_lines,
)
from ingest.parsers.times import clf_micros, parse_clf

NAME: Final = "access"
VERSION: Final = "1"

_QUOTED = r'"([^"\\]*(?:\\.[^"\\]*)*)"'  # unrolled: one step per run of plain characters
_LINE: Final = re.compile(
    rf"(\S+) (\S+) (\S+) \[([^\]]+)\] {_QUOTED} (\d{{3}}|-) (\d+|-)"
    rf"(?: {_QUOTED} {_QUOTED})?(?: (.*))?$",
    re.S,
)
#: _LINE for whole batches (no group can take a newline); ``( )`` marks a combined line.
_BATCH_QUOTED = r'"([^"\\\n]*(?:\\[^\n][^"\\\n]*)*)"'
_BATCH: Final = BatchPattern.compile(
    rf"(\S+) (\S+) (\S+) \[([^\]\n]+)\] {_BATCH_QUOTED} (\d{{3}}|-) (\d+|-)"
    rf"(?:( ){_BATCH_QUOTED} {_BATCH_QUOTED})?(?: ([^\n]*))?$"
)
#: Tomcat does not escape quotes inside the request: retried with a greedy request field.
_LENIENT: Final = re.compile(
    r'(\S+) (\S+) (\S+) \[([^\]]+)\] "(.*)" (\d{3}|-) (\d+|-)(?: "(.*)" "(.*)")?()$', re.S
)
_REQUEST: Final = re.compile(r"([A-Z][A-Z_-]*) (\S+)(?: (HTTP/[\d.]+))?$")
_MEMO_LIMIT: Final = 100_000
_INT64: Final = pa.int64()
_STRING: Final = pa.string()


@dataclass(slots=True)
class AccessLogParser:
    """Parser instance; memoises timestamp conversions (many lines share a second)."""

    times: dict[str, datetime | None] = field(default_factory=dict)
    name: str = NAME
    version: str = VERSION

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns per line; lines in neither common nor combined format: parse_error."""
        if len(self.times) > _MEMO_LIMIT:
            self.times.clear()
        n = len(lines)
        fields, others = _BATCH.split(lines)
        fast = _columns(fields, self._time)
        slow = [self._line(lines[i]) for i in others]
        return merge_slow_lines(fast, n, others, slow, NAME, VERSION)

    def _line(self, line: bytes) -> Fields:
        text, err = decode_line(line)
        f = Fields()
        f.parse_error = err
        m = _LINE.match(text) or _LENIENT.match(text)
        if m is None:
            f.message = text
            f.parse_error = err or "not an access log line (common or combined format)"
            return f
        client, ident, user, when, request, status, size, referer, agent, extra = m.groups()
        f.event_time_raw = when
        f.event_time = self._time(when)
        f.message = request
        f.src_ip = client if is_ip(client) else None
        f.user = None if user == "-" else user
        code = None if status == "-" else int(status)
        f.outcome = http_outcome(code)
        f.bytes_out = None if size == "-" else int(size)
        f.event_type = "http_request"
        attrs: dict[str, object] = {"status": code}
        if req := _REQUEST.match(request):
            f.action, f.object = req[1], req[2]
            attrs["protocol"] = req[3]
        elif request != "-":
            attrs["request"] = request
        attrs["client"] = None if f.src_ip else client
        attrs["ident"] = None if ident == "-" else ident
        attrs["referer"] = None if referer in (None, "-") else referer
        attrs["user_agent"] = None if agent in (None, "-") else agent
        attrs["extra"] = extra or None
        f.attrs = json_attrs(attrs)
        return f

    def _time(self, text: str) -> datetime | None:
        if text in self.times:
            return self.times[text]
        when = self.times[text] = parse_clf(text)
        return when


def _columns(fields: list[Array], convert: Callable[[str], datetime | None]) -> dict[str, Array]:
    """The columns of lines the batch pattern took (``fields``: its groups, in order)."""
    client, ident, user, when, request, status, size, combined, referer, agent, extra = fields
    n = len(client)
    null = pa.scalar(None, _STRING)
    address = ip_mask(client, is_ip)
    src_ip = pc.if_else(address, client, null)
    method, target, request_attr = _requests(request)
    no_size = pc.or_(pc.equal(size, "-"), pc.greater(pc.utf8_length(size), 18))
    # attrs: each key's JSON text (',"key":value', or null to leave it out) per distinct value,
    # joined per line; the same text as json_attrs of the per-line dict, in the same key order.
    pieces = [
        map_distinct(status, lambda s: None if s == "-" else f',"status":{int(s)}', _STRING),
        request_attr,
        pc.if_else(address, null, map_distinct(client, lambda c: _piece("client", c), _STRING)),
        map_distinct(ident, lambda i: None if i == "-" else _piece("ident", i), _STRING),
        _optional(combined, referer, "referer"),
        _optional(combined, agent, "user_agent"),
        map_distinct(extra, lambda e: _piece("extra", e) if e else None, _STRING),
    ]
    attrs = json_objects(pieces, n)
    return {
        "event_time": clf_micros(when, convert),
        "event_time_raw": when,
        "message": request,
        "src_ip": src_ip,
        "user": pc.if_else(pc.equal(user, "-"), pa.scalar(None, _STRING), user),
        "outcome": map_distinct(status, _outcome, _STRING),
        "bytes_out": pc.if_else(no_size, pa.scalar(None, _STRING), size).cast(_INT64),
        "event_type": constant("http_request", n),
        "action": method,
        "object": target,
        "attrs": attrs,
    }


def _outcome(status: str) -> str:
    return http_outcome(None if status == "-" else int(status))


def _requests(request: Array) -> tuple[Array, Array, Array]:
    """(method, target, the attrs piece: protocol, or the request when it is not one)."""
    encoded = pc.dictionary_encode(request)
    methods, targets, pieces = [], [], []
    for text in encoded.dictionary.to_pylist():
        if req := _REQUEST.match(text):
            methods.append(req[1])
            targets.append(req[2])
            pieces.append(_piece("protocol", req[3]) if req[3] else None)
        else:
            methods.append(None)
            targets.append(None)
            pieces.append(None if text == "-" else _piece("request", text))
    indices = encoded.indices
    return tuple(pa.array(values, _STRING).take(indices) for values in (methods, targets, pieces))  # type: ignore[return-value]


def _optional(combined: Array, values: Array, key: str) -> Array:
    """The attrs piece of a combined-format field (absent from common-format lines)."""
    piece = map_distinct(values, lambda v: None if v == "-" else _piece(key, v), _STRING)
    out: Array = pc.if_else(pc.equal(combined, " "), piece, pa.scalar(None, _STRING))
    return out


def _piece(key: str, value: str) -> str:
    return f",{encode_basestring(key)}:{encode_basestring(value)}"


def make_access(options: ParserOptions) -> AccessLogParser:
    return AccessLogParser()
