"""Access-log and Apache error-log parsers: golden fields and the real samples' traps."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ingest.parsers import ParserOptions, as_lists, get_parser


def parse_one(line: bytes, name: str = "access", **options: object) -> dict[str, object]:
    derived = as_lists(get_parser(name, ParserOptions(**options)).parse([line]))  # type: ignore[arg-type]
    return {k: v[0] for k, v in derived.items()}


class TestAccess:
    def test_combined(self):
        """A combined line maps client, user, method, path, status, size, referer and agent."""
        d = parse_one(
            b'10.1.2.3 - alice [10/Oct/2000:13:55:36 -0700] "GET /a.gif?x=1 HTTP/1.0" 200 2326 '
            b'"http://ex.com/start" "Mozilla/4.08"'
        )
        assert d["event_time"] == datetime(2000, 10, 10, 20, 55, 36, tzinfo=UTC)
        assert d["event_time_raw"] == "10/Oct/2000:13:55:36 -0700"
        assert (d["src_ip"], d["user"], d["action"], d["object"]) == (
            "10.1.2.3",
            "alice",
            "GET",
            "/a.gif?x=1",
        )
        assert (d["outcome"], d["bytes_out"], d["event_type"]) == ("success", 2326, "http_request")
        assert json.loads(str(d["attrs"])) == {
            "status": 200,
            "protocol": "HTTP/1.0",
            "referer": "http://ex.com/start",
            "user_agent": "Mozilla/4.08",
        }

    @pytest.mark.parametrize(
        ("line", "outcome", "action", "size", "status"),
        [
            (
                b'1.2.3.4 - - [11/Jul/2018:08:41:28 +0300] "GET /manager HTTP/1.1" 401 2550\r',
                "failure",
                "GET",
                2550,
                401,
            ),
            (b'1.2.3.4 - - [01/Jan/1970:03:00:00 +0300] "-" 400 -\r', "failure", None, None, 400),
            (
                b'1.2.3.4 - - [11/Jul/2018:09:32:27 +0300] "GET /x?a="><s> HTTP/1.1" 404 997',
                "failure",
                "GET",
                997,
                404,
            ),
        ],
    )
    def test_common_format_traps(self, line, outcome, action, size, status):
        """Tomcat's common format: CRLF, a '-' request, a 1970 date, unescaped quotes."""
        d = parse_one(line)
        assert (d["outcome"], d["action"], d["bytes_out"]) == (outcome, action, size)
        assert json.loads(str(d["attrs"]))["status"] == status
        assert d["parse_error"] is None

    def test_the_1970_line_keeps_its_date(self):
        """A 1970 timestamp is kept as written (UTC), not dropped or guessed."""
        d = parse_one(b'1.2.3.4 - - [01/Jan/1970:03:00:00 +0300] "-" 400 -')
        assert d["event_time"] == datetime(1970, 1, 1, tzinfo=UTC)

    def test_raw_tls_bytes_as_request(self):
        """Raw TLS bytes in the request: invalid UTF-8 flagged, status and client still read."""
        d = parse_one(
            b'1.2.3.4 - - [11/Jul/2018:09:32:02 +0300] "\x16\x03\x01\x02\x00\x01\xfc\x03 " 400 -\r'
        )
        assert str(d["parse_error"]).startswith("invalid UTF-8")
        assert (d["src_ip"], d["outcome"], d["action"]) == ("1.2.3.4", "failure", None)
        assert "request" in json.loads(str(d["attrs"]))

    def test_hostname_client_and_extra_fields(self):
        """A non-address client goes to attrs; nginx extra fields are kept."""
        d = parse_one(
            b'gw.example - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua" 0.012'
        )
        attrs = json.loads(str(d["attrs"]))
        assert d["src_ip"] is None
        assert (attrs["client"], attrs["extra"]) == ("gw.example", "0.012")

    def test_not_access_log(self):
        """Anything else keeps its text with parse_error."""
        d = parse_one(b"hello")
        assert (d["message"], d["parse_error"]) == (
            "hello",
            "not an access log line (common or combined format)",
        )


class TestApacheError:
    def test_apache_22_line(self):
        """[time] [level] message: level becomes severity, the zone comes from options."""
        d = parse_one(
            b"[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
            name="apache_error",
            timezone="America/New_York",
        )
        assert d["event_time"] == datetime(2005, 12, 4, 9, 47, 44, tzinfo=UTC)
        assert (d["severity"], d["app"], d["message"]) == (
            "error",
            "apache",
            "mod_jk child workerEnv in error state 6",
        )

    def test_client_field(self):
        """[client ip] fills src_ip."""
        d = parse_one(
            b"[Sun Dec 04 20:47:44 2005] [error] [client 81.199.21.119] "
            b"Directory index forbidden by rule: /var/www/html/",
            name="apache_error",
        )
        assert d["src_ip"] == "81.199.21.119"
        assert d["message"] == "Directory index forbidden by rule: /var/www/html/"

    def test_apache_24_line(self):
        """2.4 adds module, pid/tid, client port and an AH code."""
        d = parse_one(
            b"[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] "
            b"[client 72.15.99.187:51234] AH00126: Invalid URI in request",
            name="apache_error",
        )
        assert (d["app"], d["severity"], d["pid"], d["event_id"]) == (
            "core",
            "error",
            35708,
            "AH00126",
        )
        assert (d["src_ip"], d["src_port"]) == ("72.15.99.187", 51234)
        assert d["event_time"] == datetime(2000, 10, 11, 14, 32, 52, 123456, tzinfo=UTC)
