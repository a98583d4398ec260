"""JSON lines parser: flattening, ECS mapping, CloudTrail, Zeek JSON, broken JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ingest.parsers import as_lists, get_parser
from ingest.parsers.columns import flatten


def parse_one(obj: object | bytes) -> dict[str, object]:
    line = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return {k: v[0] for k, v in as_lists(get_parser("json").parse([line])).items()}


class TestEcs:
    def test_ecs_fields_map_and_the_rest_stays_flat(self):
        """ECS names fill the columns; unmapped fields stay in attrs under dotted names."""
        d = parse_one(
            {
                "@timestamp": "2026-03-02T10:00:00.250Z",
                "host": {"name": "app01", "ip": "10.20.2.21"},
                "user": {"name": "svc"},
                "process": {"name": "python3", "pid": 4242},
                "event": {
                    "category": "network",
                    "action": "network_connection",
                    "outcome": "success",
                },
                "source": {"ip": "10.20.2.21", "port": 5000, "bytes": 1234},
                "destination": {"ip": "192.0.2.100", "port": 443, "bytes": 99},
                "tags": ["a", "b"],
            }
        )
        assert d["event_time"] == datetime(2026, 3, 2, 10, 0, 0, 250000, tzinfo=UTC)
        assert (d["host"], d["user"], d["app"], d["pid"]) == ("app01", "svc", "python3", 4242)
        assert (d["event_type"], d["action"], d["outcome"]) == (
            "network",
            "network_connection",
            "success",
        )
        assert (d["src_ip"], d["src_port"], d["dst_ip"], d["dst_port"]) == (
            "10.20.2.21",
            5000,
            "192.0.2.100",
            443,
        )
        assert (d["bytes_out"], d["bytes_in"]) == (1234, 99)
        assert json.loads(str(d["attrs"])) == {"host.ip": "10.20.2.21", "tags": ["a", "b"]}

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (1588206741.53, datetime(2020, 4, 30, 0, 32, 21, 530000, tzinfo=UTC)),
            (1588206741530, datetime(2020, 4, 30, 0, 32, 21, 530000, tzinfo=UTC)),
            ("2020-04-30T00:32:21+00:00", datetime(2020, 4, 30, 0, 32, 21, tzinfo=UTC)),
            ("2020-04-30 00:32:21", datetime(2020, 4, 30, 0, 32, 21, tzinfo=UTC)),
            ("yesterday", None),
        ],
    )
    def test_time_spellings(self, value, expected):
        """Times in s or ms since the epoch, or ISO text, are read; nonsense is null."""
        assert parse_one({"ts": value, "msg": "x"})["event_time"] == expected

    def test_plain_names_and_http_status(self):
        """Plain spellings map too; an HTTP status >= 400 without outcome is a failure."""
        d = parse_one(
            {"time": 0, "username": "bob", "src_ip": "1.2.3.4", "status": 403, "method": "GET"}
        )
        assert (d["user"], d["src_ip"], d["outcome"], d["action"]) == (
            "bob",
            "1.2.3.4",
            "failure",
            "GET",
        )

    def test_non_ip_source_stays_in_attrs(self):
        """A source that is not an address does not go to src_ip."""
        d = parse_one({"source": {"ip": "not-an-ip"}})
        assert d["src_ip"] is None
        assert json.loads(str(d["attrs"])) == {"source.ip": "not-an-ip"}

    def test_flatten(self):
        """Nested objects flatten to dotted keys; lists and empty objects stay values."""
        assert flatten({"a": {"b": {"c": 1}}, "l": [{"x": 1}], "e": {}}) == {
            "a.b.c": 1,
            "l": [{"x": 1}],
            "e": {},
        }


class TestBroken:
    @pytest.mark.parametrize(
        ("line", "error"),
        [
            (b'{"a": 1', "invalid JSON"),
            (b"[1, 2]", "JSON list is not an object"),
            (b"", "invalid JSON"),
            (b'{"a": "\xff', "invalid UTF-8"),
        ],
    )
    def test_broken_lines_are_kept(self, line, error):
        """Broken JSON keeps its text as message and says why in parse_error."""
        d = parse_one(line)
        assert str(d["parse_error"]).startswith(error)
        assert d["message"] == line.decode("utf-8", "replace")

    def test_invalid_utf8_object_is_flagged_and_mapped(self):
        """An object with invalid UTF-8 is flagged, and still mapped from the replaced text."""
        d = parse_one(b'{"user": "bob", "a": "\xff"}')
        assert d["parse_error"] == "invalid UTF-8 at byte 22"
        assert d["user"] == "bob"
        assert json.loads(str(d["attrs"])) == {"a": "\ufffd"}


class TestCloudTrail:
    def test_s3_get_object(self):
        """A CloudTrail GetObject maps service, call, key holder, object and bytes."""
        d = parse_one(
            {
                "eventSource": "s3.amazonaws.com",
                "eventName": "GetObject",
                "eventType": "AwsApiCall",
                "eventID": "771299cb",
                "@timestamp": "2020-09-14T01:02:34.000Z",
                "sourceIPAddress": "1.2.3.4",
                "userIdentity": {
                    "type": "AssumedRole",
                    "accessKeyId": "ASIA5FLZVX4OPVKKVBMX",
                    "sessionContext": {"sessionIssuer": {"userName": "BankingWAFRole"}},
                },
                "requestParameters": {"bucketName": "bucket", "key": "ring.txt"},
                "additionalEventData": {"bytesTransferredOut": 89.0, "bytesTransferredIn": 0.0},
            }
        )
        assert (d["app"], d["action"], d["event_type"], d["event_id"]) == (
            "s3.amazonaws.com",
            "GetObject",
            "AwsApiCall",
            "771299cb",
        )
        assert d["event_time"] == datetime(2020, 9, 14, 1, 2, 34, tzinfo=UTC)
        assert (d["user"], d["src_ip"], d["object"]) == (
            "BankingWAFRole",
            "1.2.3.4",
            "bucket/ring.txt",
        )
        assert (d["bytes_out"], d["bytes_in"], d["outcome"]) == (89, 0, "success")
        assert json.loads(str(d["attrs"]))["userIdentity.accessKeyId"] == "ASIA5FLZVX4OPVKKVBMX"

    def test_error_code_is_failure_and_service_source_stays(self):
        """errorCode makes a failure; a service name as source is not an address."""
        d = parse_one(
            {"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances", "errorCode": "Denied",
             "eventTime": "2020-09-14T01:00:00Z", "sourceIPAddress": "ec2.amazonaws.com"}
        )  # fmt: skip
        assert (d["outcome"], d["src_ip"]) == ("failure", None)
        assert json.loads(str(d["attrs"]))["sourceIPAddress"] == "ec2.amazonaws.com"


class TestZeekJson:
    def test_otrf_underscore_names(self):
        """OTRF's id_orig_h spelling maps like Zeek's id.orig_h; http fields map."""
        d = parse_one(
            {"@stream": "http", "ts": 1588206741.5, "uid": "CX", "id_orig_h": "10.0.1.4",
             "id_orig_p": 60759, "id_resp_h": "192.168.0.4", "id_resp_p": 80, "method": "PUT",
             "uri": "/webdav/x.7z", "status_code": 204, "request_body_len": 1082089,
             "response_body_len": 0, "user_agent": "Microsoft-WebDAV-MiniRedir/10.0.18362"}
        )  # fmt: skip
        assert (d["app"], d["event_type"], d["event_id"]) == ("zeek", "http", "CX")
        assert (d["src_ip"], d["dst_ip"], d["dst_port"]) == ("10.0.1.4", "192.168.0.4", 80)
        assert (d["action"], d["object"], d["outcome"]) == ("PUT", "/webdav/x.7z", "success")
        assert (d["bytes_out"], d["bytes_in"]) == (1082089, 0)
        assert json.loads(str(d["attrs"]))["user_agent"].startswith("Microsoft-WebDAV")
