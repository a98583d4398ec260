"""Derived columns for the real samples in ../shared/data.

Syslog samples go through the project's own parser (``ingest.parsers``). For formats whose
parsers are still being written on the ``parsers`` branch (access logs, Zeek JSON, auditd,
CloudTrail, Apache error log) these small stand-ins map the same normalised columns, so the
detections are tested on the real bytes now; swap them for the real parsers when they land.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

from ingest.parsers import get_parser

Derived = dict[str, list[object]]
COLUMNS = (
    "event_time",
    "host",
    "app",
    "severity",
    "event_type",
    "user",
    "src_ip",
    "src_port",
    "dst_ip",
    "dst_port",
    "action",
    "object",
    "outcome",
    "bytes_in",
    "bytes_out",
    "message",
    "attrs",
)


def _columns(rows: list[dict[str, object]], parser: str) -> Derived:
    out: Derived = {c: [r.get(c) for r in rows] for c in COLUMNS}
    out["attrs"] = [None if a is None else json.dumps(a) for a in out["attrs"]]
    out["parser"] = [parser] * len(rows)
    out["parser_version"] = ["test-1"] * len(rows)
    return out


def syslog(lines: list[bytes]) -> Derived:
    return get_parser("rfc3164").parse(lines)


_CLF = re.compile(r'^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+)(?: (\S+))?[^"]*" (\d{3}) (\d+|-)')


def access_log(lines: list[bytes]) -> Derived:
    rows = []
    for raw in lines:
        m = _CLF.match(raw.decode("utf-8", "replace"))
        if not m:
            rows.append({"message": raw.decode("utf-8", "replace")})
            continue
        ip, user, when, method, path, status, size = m.groups()
        code = int(status)
        rows.append(
            {
                "event_time": datetime.strptime(when, "%d/%b/%Y:%H:%M:%S %z").astimezone(UTC),
                "app": "tomcat",
                "event_type": "web",
                "user": None if user == "-" else user,
                "src_ip": ip,
                "action": method,
                "object": path,
                "outcome": "failure" if code >= 400 else "success",
                "bytes_in": None if size == "-" else int(size),
                "message": raw.decode("utf-8", "replace"),
                "attrs": {"status": code},
            }
        )
    return _columns(rows, "test-access")


def zeek_json(lines: list[bytes]) -> Derived:
    rows = []
    for raw in lines:
        d = json.loads(raw)
        http = d.get("@stream") == "http"
        rows.append(
            {
                "event_time": datetime.fromtimestamp(d["ts"], tz=UTC),
                "host": d.get("@system"),
                "app": "zeek",
                "event_type": "http" if http else "conn",
                "src_ip": d["id_orig_h"],
                "src_port": d["id_orig_p"],
                "dst_ip": d["id_resp_h"],
                "dst_port": d["id_resp_p"],
                "action": d.get("method") if http else d.get("service") or d.get("proto"),
                "object": d.get("uri"),
                "bytes_out": d.get("request_body_len") if http else d.get("orig_bytes"),
                "bytes_in": d.get("response_body_len") if http else d.get("resp_bytes"),
                "attrs": {"status": d["status_code"]} if http and "status_code" in d else None,
            }
        )
    return _columns(rows, "test-zeek")


_AUDIT = re.compile(r"^type=(\S+) msg=audit\((\d+\.\d+):\d+\): (.*)$")
_KV = re.compile(r"(\w+)=(\"[^\"]*\"|'[^']*'|\S+)")


def auditd(lines: list[bytes]) -> Derived:
    rows = []
    for raw in lines:
        text = raw.decode("utf-8", "replace")
        m = _AUDIT.match(text)
        if not m:
            rows.append({"message": text})
            continue
        kind, ts, rest = m.groups()
        kv: dict[str, object] = {}
        for k, v in _KV.findall(rest.replace("msg='", "").rstrip("'")):
            kv[k] = v.strip("\"'")
        if kind == "USER_CMD" and isinstance(kv.get("cmd"), str):
            kv["cmd"] = bytes.fromhex(str(kv["cmd"])).decode("utf-8", "replace")
        exe = str(kv.get("exe", ""))
        addr = kv.get("addr")
        rows.append(
            {
                "event_time": datetime.fromtimestamp(float(ts), tz=UTC),
                "app": exe.rsplit("/", 1)[-1] or None,
                "event_type": kind,
                "user": kv.get("acct"),
                "src_ip": None if addr in (None, "?") else addr,
                "action": {"USER_AUTH": "authenticate", "USER_LOGIN": "login"}.get(kind),
                "object": kv.get("cmd"),
                "outcome": {"success": "success", "failed": "failure"}.get(str(kv.get("res"))),
                "message": text,
                "attrs": kv,
            }
        )
    return _columns(rows, "test-auditd")


_APACHE = re.compile(r"^\[(\w{3} \w{3} \d\d \d\d:\d\d:\d\d \d{4})\] \[(\w+)\] (.*)$")


def apache_error(lines: list[bytes]) -> Derived:
    rows = []
    for raw in lines:
        text = raw.decode("utf-8", "replace")
        m = _APACHE.match(text)
        if not m:
            rows.append({"message": text})
            continue
        when, level, msg = m.groups()
        rows.append(
            {
                "event_time": datetime.strptime(when, "%a %b %d %H:%M:%S %Y").replace(tzinfo=UTC),
                "app": "apache",
                "severity": level,
                "message": msg,
            }
        )
    return _columns(rows, "test-apache-error")


def cloudtrail(lines: list[bytes]) -> Derived:
    rows = []
    for raw in lines:
        d = json.loads(raw)
        ident = d.get("userIdentity") or {}
        extra = d.get("additionalEventData") or {}
        params = d.get("requestParameters") or {}
        rows.append(
            {
                "event_time": datetime.fromisoformat(d["@timestamp"].replace("Z", "+00:00")),
                "app": d.get("eventSource"),
                "event_type": d.get("eventType"),
                "user": ident.get("accessKeyId") or ident.get("arn"),
                "src_ip": d.get("sourceIPAddress"),
                "action": d.get("eventName"),
                "object": params.get("key") if isinstance(params, dict) else None,
                "outcome": "failure" if d.get("errorCode") else "success",
                "bytes_out": extra.get("bytesTransferredOut"),
            }
        )
    return _columns(rows, "test-cloudtrail")


NORMALISERS: dict[str, Callable[[list[bytes]], Derived]] = {
    "syslog": syslog,
    "access": access_log,
    "zeek": zeek_json,
    "auditd": auditd,
    "apache_error": apache_error,
    "cloudtrail": cloudtrail,
}
