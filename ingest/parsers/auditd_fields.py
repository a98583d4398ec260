"""What an audit record's ``key=value`` body says: decoded fields and the columns they give.

Shared by the batch path and the per-line path of :mod:`~ingest.parsers.auditd`, so both map
fields the same way. See that module for the record layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv6Address
from json.encoder import encode_basestring
from typing import Final

from ingest.parsers.columns import is_ip

_KV: Final = re.compile(r"""([\w-]+)=("[^"]*"|'[^']*'|\S*)""")
_HEX: Final = re.compile(r"(?:[0-9A-F]{2})+$")
#: Fields auditd writes hex-encoded (unquoted) when the value has spaces or special bytes.
ENCODED: Final = frozenset(
    {"acct", "cmd", "comm", "cwd", "data", "dir", "exe", "file", "grp", "key", "name",
     "new", "ocomm", "old", "path", "proctitle", "root_dir", "sig", "vm"}
)  # fmt: skip
_QUOTES: Final = ("'", '"')
#: An EXECVE argc above this is not believed (the argument list is not joined): a corrupt
#: count must not build a string of that many spaces.
_MAX_ARGC: Final = 65_536
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


@dataclass(frozen=True, slots=True)
class Nested:
    """A nested ``msg='...'`` decoded once: its fields, and their attrs JSON members."""

    fields: dict[str, str]
    #: ``"key":"value"`` members of the unmapped fields without ``?`` values, comma-joined
    attrs: str

    @classmethod
    def of(cls, quoted: str) -> Nested:
        fields: dict[str, str] = {}
        for k, v in _KV.findall(quoted[1:-1]):
            if k not in fields:  # the first of a repeated key wins, as in fields_of
                fields[k] = decode_value(k, v)
        return cls(fields, _members(fields))


def derive_record(text: str, record_type: str, nested: dict[str, Nested]) -> Derived:
    """``derive(fields_of(text, record_type))``, faster for the common layout.

    That layout is bare fields ending with a nested ``msg='...'`` (PAM, login, cron records):
    the nested part of each distinct text is decoded once (``nested`` is the caller's memo)
    with its attrs members; the record's fields are the bare ones followed by the nested
    ones, exactly as fields_of orders them when no nested key repeats a bare one.
    """
    if "\x1d" in text or record_type == "EXECVE":
        return derive(fields_of(text, record_type))
    pairs = _KV.findall(text)
    if not pairs or pairs[-1][0] != "msg" or pairs[-1][1][:1] != "'":
        return derive(fields_of(text, record_type))
    quoted = pairs[-1][1]
    inner = nested.get(quoted)
    if inner is None:
        inner = nested[quoted] = Nested.of(quoted)
    outer: dict[str, str] = {}
    for key, value in pairs[:-1]:
        outer[key] = decode_value(key, value) if value[:1] in _QUOTES or key in ENCODED else value
    if not outer.keys().isdisjoint(inner.fields) or "msg" in outer:
        return derive(fields_of(text, record_type))
    own = _members(outer)
    members = f"{own},{inner.attrs}" if own and inner.attrs else own or inner.attrs
    return derive(outer | inner.fields, "{" + members + "}" if members else None)


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


#: Derived values of one record: (pid, outcome, user, src_ip, dst_ip, dst_port, app, action,
#: object, attrs JSON text).
Derived = tuple[
    int | None, str, str | None, str | None, str | None, int | None, str | None, str | None,
    str | None, str | None,
]  # fmt: skip


_UNSET_ATTRS: Final = "\x00"


def derive(kv: dict[str, str], attrs: str | None = _UNSET_ATTRS) -> Derived:
    """The columns of a record with fields ``kv`` (the attrs: every field not mapped).

    ``attrs``, when given, is the attrs text already made from ``kv``.
    """
    pid = kv.get("pid", "")
    res = kv.get("res", kv.get("success", "")).lower()
    addr = kv.get("addr", "")
    host = kv.get("hostname", "")
    address = sockaddr(kv["saddr"]) if "saddr" in kv else None
    dst_ip, dst_port = address if address is not None else (None, None)
    exe = kv.get("exe", "")
    return (
        int(pid) if pid.isdigit() else None,
        "success" if res in _SUCCESS else "failure" if res in _FAILURE else "unknown",
        _user(kv),
        addr if is_ip(addr) else host if is_ip(host) else None,
        dst_ip,
        dst_port,
        kv.get("comm") or (exe.rsplit("/", 1)[-1] if exe and exe != "?" else None),
        kv.get("op") or kv.get("SYSCALL") or kv.get("syscall") or None,
        _object(kv),
        _attrs(kv) if attrs == _UNSET_ATTRS else attrs,
    )


_KEY_JSON: dict[str, str] = {}


def _attrs(kv: dict[str, str]) -> str | None:
    """JSON object text of the unmapped fields without ``?`` values (as columns.json_attrs)."""
    members = _members(kv)
    return "{" + members + "}" if members else None


def _members(kv: dict[str, str]) -> str:
    """The comma-joined ``"key":"value"`` JSON members of :func:`_attrs`."""
    parts = []
    for key, value in kv.items():
        if key in _MAPPED or value == "?":
            continue
        prefix = _KEY_JSON.get(key)
        if prefix is None:
            prefix = _KEY_JSON[key] = encode_basestring(key) + ":"
        parts.append(prefix + encode_basestring(value))
    return ",".join(parts)


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
    if argc.isdigit() and "a0" in kv and int(argc) <= _MAX_ARGC:
        return " ".join(kv.get(f"a{i}", "") for i in range(int(argc)))
    for key in ("proctitle", "name", "path", "exe"):
        value = kv.get(key)
        if value and value not in ("?", "(null)"):
            return value
    return None
