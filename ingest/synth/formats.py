"""One line of each generated format, exactly as the real daemons write it."""

from __future__ import annotations

import json
import random
import string
from typing import Final

from ingest.synth.world import clf_time, epoch, iso_time, syslog_time

_UID_CHARS: Final = string.ascii_letters + string.digits

CONN_FIELDS: Final = (
    ("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"),
    ("id.resp_h", "addr"), ("id.resp_p", "port"), ("proto", "enum"), ("service", "string"),
    ("duration", "interval"), ("orig_bytes", "count"), ("resp_bytes", "count"),
    ("conn_state", "string"), ("missed_bytes", "count"), ("history", "string"),
    ("orig_pkts", "count"), ("resp_pkts", "count"), ("tunnel_parents", "set[string]"),
)  # fmt: skip
DNS_FIELDS: Final = (
    ("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"),
    ("id.resp_h", "addr"), ("id.resp_p", "port"), ("proto", "enum"), ("trans_id", "count"),
    ("query", "string"), ("qtype_name", "string"), ("rcode_name", "string"),
    ("answers", "vector[string]"), ("rejected", "bool"),
)  # fmt: skip


def syslog(t: float, host: str, app: str, pid: int | None, msg: str) -> bytes:
    """A BSD syslog line as rsyslog writes it to auth.log / syslog."""
    tag = f"{app}[{pid}]" if pid is not None else app
    return f"{syslog_time(t)} {host} {tag}: {msg}".encode()


def audit(t: float, serial: int, rtype: str, body: str) -> bytes:
    """A raw auditd record."""
    return f"type={rtype} msg=audit({epoch(t):.3f}:{serial}): {body}".encode()


def hex_arg(text: str) -> str:
    """auditd's encoding of a value with spaces or special characters: uppercase hex."""
    return text.encode().hex().upper()


def edr(t: float, event: dict[str, object]) -> bytes:
    """An EDR agent's ECS-style JSON event: ``@timestamp`` first, then ``event``'s objects."""
    return json.dumps({"@timestamp": iso_time(t), **event}, separators=(",", ":")).encode()


def access(
    t: float, client: str, user: str, request: str, status: int, size: int, ua: str
) -> bytes:
    """An nginx combined-format access line."""
    return f'{client} - {user} [{clf_time(t)}] "{request}" {status} {size} "-" "{ua}"'.encode()


def zeek_header(path: str, fields: tuple[tuple[str, str], ...]) -> list[bytes]:
    """The ``#`` lines that open a Zeek TSV log."""
    return [
        b"#separator \\x09",
        b"#set_separator\t,",
        b"#empty_field\t(empty)",
        b"#unset_field\t-",
        f"#path\t{path}".encode(),
        b"#open\t2026-03-02-00-00-00",
        ("#fields\t" + "\t".join(name for name, _ in fields)).encode(),
        ("#types\t" + "\t".join(typ for _, typ in fields)).encode(),
    ]


def zeek_row(values: tuple[object, ...]) -> bytes:
    """One Zeek TSV row (None is written as ``-``)."""
    return "\t".join("-" if v is None else str(v) for v in values).encode()


def zeek_uid(rng: random.Random) -> str:
    """A Zeek connection uid (``C`` + 17 characters)."""
    return "C" + "".join(rng.choice(_UID_CHARS) for _ in range(17))


def conn(
    rng: random.Random,
    t: float,
    src: tuple[str, int],
    dst: tuple[str, int],
    proto: str,
    service: str | None,
    duration: float,
    orig_bytes: int,
    resp_bytes: int,
    state: str = "SF",
) -> bytes:
    """A Zeek conn.log row."""
    pkts_o, pkts_r = max(1, orig_bytes // 1400), max(1, resp_bytes // 1400)
    history = "Dd" if proto == "udp" else "ShADadFf"
    return zeek_row(
        (f"{epoch(t):.6f}", zeek_uid(rng), src[0], src[1], dst[0], dst[1], proto, service,
         f"{duration:.6f}", orig_bytes, resp_bytes, state, 0, history, pkts_o, pkts_r, "(empty)")
    )  # fmt: skip


def dns(
    rng: random.Random, t: float, src: str, server: str, query: str, qtype: str, answer: str
) -> bytes:
    """A Zeek dns.log row."""
    return zeek_row(
        (f"{epoch(t):.6f}", zeek_uid(rng), src, rng.randint(32768, 60999), server, 53, "udp",
         rng.randint(1, 65535), query, qtype, "NOERROR", answer, "F")
    )  # fmt: skip
