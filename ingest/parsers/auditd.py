"""Linux audit daemon records, raw ``audit.log``.

``[node=HOST ]type=TYPE msg=audit(SECONDS.MILLIS:SERIAL): key=value ...``, where values are bare,
``"quoted"``, or hex-encoded when they hold spaces or special bytes (``cmd=636174...``); USER_*
records nest a second ``msg='key=value ...'``; the enriched log format appends translated
fields (``AUID="alice"``) after a 0x1D byte. Every record of one event shares the serial, which
becomes ``event_id``, so ``GROUP BY event_id`` puts a SYSCALL with its EXECVE, PATH, PROCTITLE
and SOCKADDR records.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv6Address
from typing import Final

from ingest.parsers.arrays import decode_line
from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.columns import Fields, is_ip, json_attrs, to_derived
from ingest.parsers.times import from_epoch

NAME: Final = "auditd"
VERSION: Final = "1"

_HEAD: Final = re.compile(
    r"(?:node=(\S+) )?type=(\S+) msg=audit\((\d+)\.(\d+):(\d+)\): ?(.*)$", re.S
)
_KV: Final = re.compile(r"""([\w-]+)=("[^"]*"|'[^']*'|\S*)""")
_HEX: Final = re.compile(r"(?:[0-9A-F]{2})+$")
#: Fields auditd writes hex-encoded (unquoted) when the value has spaces or special bytes.
ENCODED: Final = frozenset(
    {"acct", "cmd", "comm", "cwd", "data", "dir", "exe", "file", "grp", "key", "name",
     "new", "ocomm", "old", "path", "proctitle", "root_dir", "sig", "vm"}
)  # fmt: skip
_QUOTES: Final = ("'", '"')
_UNSET: Final = frozenset({"4294967295", "-1", "unset", "?", ""})
_SUCCESS: Final = frozenset({"success", "yes", "1"})
_FAILURE: Final = frozenset({"failed", "no", "0", "fail"})
#: Columns taken from the fields; everything else goes to attrs.
_MAPPED: Final = frozenset({"pid", "res", "success", "acct", "addr", "saddr", "op", "cmd"})


def decode_value(key: str, value: str, *, execve: bool = False) -> str:
    """A field's text: quotes removed, hex decoded for encodable fields (NULs become spaces).

    ``execve`` says the record is an EXECVE, whose arguments a0, a1, ... are encodable too.
    """
    if value[:1] in ("'", '"'):
        return value[1:-1]
    if (key in ENCODED or (execve and _is_arg(key))) and _HEX.match(value):
        raw = bytes.fromhex(value)
        return raw.replace(b"\x00", b" ").decode("utf-8", "replace").rstrip(" ")
    return value


def _is_arg(key: str) -> bool:
    """EXECVE arguments a0, a1, ... (hex when they hold spaces or special bytes)."""
    return key[:1] == "a" and key[1:].isdigit()


def fields_of(text: str, record_type: str = "") -> dict[str, str]:
    """Every key=value of a record body, nested ``msg='...'`` and enriched fields flattened."""
    body, _, enriched = text.partition("\x1d")
    execve = record_type == "EXECVE"
    out: dict[str, str] = {}
    for key, value in _KV.findall(body):
        if key == "msg" and value[:1] == "'":
            for k, v in _KV.findall(value[1:-1]):
                if k not in out:
                    out[k] = decode_value(k, v)
        elif value[:1] not in _QUOTES and key not in ENCODED and not execve:
            out[key] = value  # the common case, without a call
        else:
            out[key] = decode_value(key, value, execve=execve)
    for key, value in _KV.findall(enriched):
        out.setdefault(key, value.strip('"'))
    return out


def sockaddr(hex_text: str) -> tuple[str, int] | None:
    """(ip, port) of an AF_INET/AF_INET6 ``saddr`` (hex of struct sockaddr), else None."""
    try:
        raw = bytes.fromhex(hex_text)
    except ValueError:
        return None
    family = int.from_bytes(raw[0:2], "little")
    if family == 2 and len(raw) >= 8:
        return ".".join(str(b) for b in raw[4:8]), int.from_bytes(raw[2:4], "big")
    if family == 10 and len(raw) >= 24:
        return str(IPv6Address(raw[8:24])), int.from_bytes(raw[2:4], "big")
    return None


@dataclass(frozen=True, slots=True)
class AuditdParser:
    name: str = NAME
    version: str = VERSION

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns per record; lines without ``type=... msg=audit(...)`` get parse_error."""
        return to_derived([_parse_line(line) for line in lines], self.name, self.version)


def _parse_line(line: bytes) -> Fields:
    text, err = decode_line(line)
    f = Fields()
    f.message = text
    f.parse_error = err
    m = _HEAD.match(text)
    if m is None:
        f.parse_error = err or "not an audit record: no 'type=... msg=audit(...)'"
        return f
    node, rtype, secs, frac, serial, body = m.groups()
    f.host = node
    f.event_type = rtype
    f.event_id = serial
    f.event_time_raw = f"{secs}.{frac}"
    f.event_time = from_epoch(int(secs) + int(frac) / 10 ** len(frac))
    f.message = body
    _map_fields(f, fields_of(body, rtype))
    return f


def _map_fields(f: Fields, kv: dict[str, str]) -> None:
    pid = kv.get("pid", "")
    f.pid = int(pid) if pid.isdigit() else None
    res = kv.get("res", kv.get("success", "")).lower()
    f.outcome = "success" if res in _SUCCESS else "failure" if res in _FAILURE else "unknown"
    f.user = _user(kv)
    addr = kv.get("addr", "")
    host = kv.get("hostname", "")
    f.src_ip = addr if is_ip(addr) else host if is_ip(host) else None
    if (sa := sockaddr(kv.get("saddr", ""))) is not None:
        f.dst_ip, f.dst_port = sa
    exe = kv.get("exe", "")
    f.app = kv.get("comm") or (exe.rsplit("/", 1)[-1] if exe and exe != "?" else None)
    f.action = kv.get("op") or kv.get("SYSCALL") or kv.get("syscall") or None
    f.object = _object(kv)
    f.attrs = json_attrs({k: v for k, v in kv.items() if k not in _MAPPED and v != "?"})


def _user(kv: dict[str, str]) -> str | None:
    """acct (the account acted on), else the login uid (auid), else uid; names when enriched."""
    acct = kv.get("acct")
    if acct not in _UNSET and acct is not None:
        return acct
    for name_key, id_key in (("AUID", "auid"), ("UID", "uid")):
        uid = kv.get(id_key)
        if uid is not None and uid not in _UNSET:
            return kv.get(name_key) or uid
    return None


def _object(kv: dict[str, str]) -> str | None:
    """The command line or file the record is about."""
    if "cmd" in kv:
        return kv["cmd"]
    argc = kv.get("argc", "")
    if argc.isdigit() and "a0" in kv:
        return " ".join(kv.get(f"a{i}", "") for i in range(int(argc)))
    for key in ("proctitle", "name", "path", "exe"):
        value = kv.get(key)
        if value and value not in ("?", "(null)"):
            return value
    return None


def make_auditd(options: ParserOptions) -> AuditdParser:
    return AuditdParser()
