"""Web server access logs: NCSA common and combined formats (Apache, nginx, Tomcat).

``host ident user [time] "request" status bytes ["referer" "user-agent"] [extra]``.
src_ip = host (when it is an address), user = the authenticated user, action = the method,
object = the path with its query, outcome = failure for status >= 400, bytes_out = the
response size (bytes that left the server). The status, protocol, referer and user agent go to
attrs (``CAST(attrs->>'status' AS INT)``). A request that is not ``METHOD target PROTOCOL``
(``"-"``, or raw TLS bytes sent to a plain HTTP port) keeps its text in attrs ``request``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from ingest.parsers.arrays import decode_line
from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.columns import Fields, http_outcome, is_ip, json_attrs, to_derived
from ingest.parsers.times import parse_clf

NAME: Final = "access"
VERSION: Final = "1"

_QUOTED = r'"([^"\\]*(?:\\.[^"\\]*)*)"'  # unrolled: one step per run of plain characters
_LINE: Final = re.compile(
    rf"(\S+) (\S+) (\S+) \[([^\]]+)\] {_QUOTED} (\d{{3}}|-) (\d+|-)"
    rf"(?: {_QUOTED} {_QUOTED})?(?: (.*))?$",
    re.S,
)
#: Tomcat does not escape quotes inside the request: retried with a greedy request field.
_LENIENT: Final = re.compile(
    r'(\S+) (\S+) (\S+) \[([^\]]+)\] "(.*)" (\d{3}|-) (\d+|-)(?: "(.*)" "(.*)")?()$', re.S
)
_REQUEST: Final = re.compile(r"([A-Z][A-Z_-]*) (\S+)(?: (HTTP/[\d.]+))?$")
_MEMO_LIMIT: Final = 100_000


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
        return to_derived([self._line(line) for line in lines], self.name, self.version)

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


def make_access(options: ParserOptions) -> AccessLogParser:
    return AccessLogParser()
