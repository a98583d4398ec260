"""Zeek records as fields: the mapping of every stream, and the TSV header and value types.

Shared by the Zeek parser's per-line path, its Arrow path (:mod:`~ingest.parsers.zeek_tsv`) and
the JSON parser (Zeek JSON lines). The mapping is documented in :mod:`~ingest.parsers.zeek`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from ingest.parsers.columns import (
    Fields,
    http_outcome,
    is_ip,
    to_int,
)
from ingest.parsers.times import to_time

_ESCAPE: Final = re.compile(r"\\x([0-9a-fA-F]{2})")
#: conn_state values of a connection that was established / refused or unanswered.
CONN_OK: Final = frozenset({"SF", "S1", "S2", "S3", "RSTO", "RSTR"})
CONN_FAIL: Final = frozenset({"S0", "REJ", "RSTOS0", "RSTRH", "SH", "SHR"})
COMMON: Final = frozenset(
    {"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "_path", "@stream"}
)
_STREAM_FIELDS: Final = (
    ("http", ("method", "uri")),
    ("conn", ("conn_state",)),
    ("dns", ("query", "qtype_name")),
)


def normalise_keys(record: Mapping[str, object]) -> dict[str, object]:
    """OTRF-style ``id_orig_h`` keys as Zeek's ``id.orig_h``."""
    return {(f"id.{k[3:]}" if k.startswith("id_") else k): v for k, v in record.items()}


def is_zeek(record: Mapping[str, object]) -> bool:
    """True for a record with a Zeek uid and connection 4-tuple."""
    return "uid" in record and ("id.orig_h" in record or "id_orig_h" in record)


def stream_of(record: Mapping[str, object], path: str | None = None) -> str:
    """The Zeek stream (log) name of ``record``."""
    for key in ("_path", "@stream"):
        value = record.get(key)
        if isinstance(value, str) and value:
            return value
    if path:
        return path
    for name, keys in _STREAM_FIELDS:
        if all(k in record for k in keys):
            return name
    return "unknown"


def map_zeek(record: Mapping[str, object], stream: str, f: Fields) -> set[str]:
    """Fill ``f`` from one Zeek record (dotted keys); returns the keys it used."""
    f.event_time = to_time(record.get("ts"))
    f.event_id = _text(record.get("uid"))
    f.app = "zeek"
    f.event_type = stream
    f.src_ip = _ip(record.get("id.orig_h"))
    f.src_port = to_int(record.get("id.orig_p"))
    f.dst_ip = _ip(record.get("id.resp_h"))
    f.dst_port = to_int(record.get("id.resp_p"))
    used = set(COMMON)
    if stream == "conn":
        f.action, f.object = _text(record.get("proto")), _text(record.get("service"))
        f.bytes_out, f.bytes_in = to_int(record.get("orig_bytes")), to_int(record.get("resp_bytes"))
        state = record.get("conn_state")
        f.outcome = (
            "success" if state in CONN_OK else "failure" if state in CONN_FAIL else "unknown"
        )
        used |= {"proto", "service", "orig_bytes", "resp_bytes"}
    elif stream == "http":
        f.action, f.object = _text(record.get("method")), _text(record.get("uri"))
        f.user = _text(record.get("username"))
        f.outcome = http_outcome(to_int(record.get("status_code")))
        f.bytes_out = to_int(record.get("request_body_len"))
        f.bytes_in = to_int(record.get("response_body_len"))
        used |= {"method", "uri", "username", "request_body_len", "response_body_len"}
    elif stream == "dns":
        f.action, f.object = _text(record.get("qtype_name")), _text(record.get("query"))
        rcode = record.get("rcode_name")
        f.outcome = "unknown" if rcode is None else "success" if rcode == "NOERROR" else "failure"
        used |= {"qtype_name", "query"}
    else:
        f.outcome = "unknown"
    return used


def _ip(value: object) -> str | None:
    return value if isinstance(value, str) and is_ip(value) else None


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


@dataclass(slots=True)
class TsvHeader:
    """What a Zeek TSV file's ``#`` lines said so far."""

    separator: str = "\t"
    set_separator: str = ","
    empty: str = "(empty)"
    unset: str = "-"
    path: str | None = None
    fields: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    #: One value reader per column, made from ``types`` at the first row after a header change.
    converters: list[Callable[[str], object]] = field(default_factory=list)

    def read(self, text: str) -> dict[str, object]:
        """Apply one ``#`` line; returns it as attrs."""
        if text.startswith("#separator "):
            self.separator = _unescape(text[len("#separator ") :])
            self.converters = []
            return {"directive": "separator", "value": self.separator}
        name, _, value = text[1:].partition(self.separator)
        parts = value.split(self.separator)
        self.converters = []
        if name == "fields":
            self.fields = parts
        elif name == "types":
            self.types = parts
        elif name == "path":
            self.path = value
        elif name == "set_separator":
            self.set_separator = value
        elif name == "empty_field":
            self.empty = value
        elif name == "unset_field":
            self.unset = value
        return {"directive": name, "value": value}

    def record(self, text: str) -> dict[str, object]:
        """One data line as a dict of typed values; raises ValueError on a column mismatch."""
        values = text.split(self.separator)
        if len(values) != len(self.fields):
            raise ValueError(f"{len(values)} columns, the #fields header names {len(self.fields)}")
        if len(self.converters) != len(values):
            types = self.types if len(self.types) == len(values) else ["string"] * len(values)
            self.converters = [self._converter(t) for t in types]
        unset = self.unset
        return {
            k: None if v == unset else convert(v)
            for k, v, convert in zip(self.fields, values, self.converters, strict=True)
        }

    def _converter(self, typ: str) -> Callable[[str], object]:
        """The function reading one (set) value of Zeek type ``typ``."""
        if typ.startswith(("set[", "vector[")):
            one = self._converter(typ[typ.index("[") + 1 : -1])
            empty, sep = self.empty, self.set_separator
            return lambda raw: [] if raw == empty else [one(v) for v in raw.split(sep)]
        if typ in ("count", "int", "port"):
            return _integer
        if typ in ("double", "interval", "time"):
            return _real
        if typ == "bool":
            return lambda raw: raw == "T"
        empty = self.empty
        return lambda raw: "" if raw == empty else _unescape(raw) if "\\x" in raw else raw


def _integer(raw: str) -> object:
    return int(raw) if raw.lstrip("-").isdigit() else raw


def _real(raw: str) -> object:
    try:
        return float(raw)
    except ValueError:
        return raw


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)
