"""Zeek logs: TSV with ``#fields`` headers, and JSON lines (``id.orig_h`` or ``id_orig_h``).

A TSV file describes itself in its first lines (``#separator``, ``#fields``, ``#types``, ...), so
a parser instance keeps that header state from the ``#`` lines it has seen: **the tailer must
feed each file's lines in file order, to one parser instance per file**. A data line seen before
any ``#fields`` line gets parse_error. The ``#`` lines themselves are records too
(event_type ``zeek_header``).

Mapping (all streams): event_time = ts, event_id = uid (links conn, http, files, ...), src/dst
ip and port = id.orig_h/p and id.resp_h/p, app = ``zeek``, event_type = the stream (``conn``,
``http``, ``dns``, ... from ``#path``, ``_path`` or ``@stream``, else guessed from the fields).
conn: action = proto, object = service, bytes_out = orig_bytes, bytes_in = resp_bytes, outcome
from conn_state. http: action = method, object = uri, user = username, outcome from
status_code, bytes_out = request_body_len, bytes_in = response_body_len. dns: action =
qtype_name, object = query, outcome from rcode_name.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import pyarrow as pa

from ingest.parsers.arrays import Part, combine, decode_batch, decode_line, finish, pc
from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.columns import Fields, json_attrs, to_derived
from ingest.parsers.zeek_fields import TsvHeader, map_zeek, normalise_keys, stream_of
from ingest.parsers.zeek_tsv import tsv_columns

NAME: Final = "zeek"
VERSION: Final = "1"


@dataclass(slots=True)
class ZeekParser:
    """One instance per file: keeps the TSV header state (feed lines in file order)."""

    header: TsvHeader = field(default_factory=TsvHeader)
    name: str = NAME
    version: str = VERSION

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns per line; updates the header state from ``#`` lines.

        Runs of TSV data rows are read with Arrow (:mod:`zeek_tsv`); ``#`` lines, JSON lines
        and lines that are not valid UTF-8 one by one, in file order (they change the state).
        """
        n = len(lines)
        if n == 0:
            return finish({}, 0, NAME, VERSION)
        text, errors = decode_batch(lines)
        first = pc.utf8_slice_codeunits(text, 0, 1)
        alone = pc.or_(pc.equal(first, "#"), pc.equal(first, "{"))
        if errors is not None:
            alone = pc.or_(alone, pa.array([e is not None for e in errors]))
        parts: list[Part] = []
        for start, stop, one_by_one in _runs(alone.to_pylist()):
            rows = list(range(start, stop))
            if one_by_one or not self._vectorised():
                slow = to_derived([self._line(lines[i]) for i in rows], NAME, VERSION)
                slow.pop("parser"), slow.pop("parser_version")
                parts.append((rows, slow))
            else:
                parts.append((rows, tsv_columns(text.slice(start, stop - start), self.header)))
        columns = parts[0][1] if len(parts) == 1 else combine(parts, n)
        return finish(columns, n, NAME, VERSION)

    def _vectorised(self) -> bool:
        """Data rows can go the Arrow way: a #fields header, each name once."""
        fields = self.header.fields
        return bool(fields) and len(set(fields)) == len(fields)

    def _line(self, line: bytes) -> Fields:
        text, err = decode_line(line)
        f = Fields()
        f.parse_error = err
        if text.startswith("#"):
            f.app, f.event_type, f.message = "zeek", "zeek_header", text
            f.attrs = json_attrs(self.header.read(text))
            return f
        try:
            record, path = self._record(text)
        except ValueError as exc:
            f.message = text
            f.parse_error = err or f"not a Zeek record: {exc}"
            return f
        used = map_zeek(record, stream_of(record, path), f)
        f.attrs = json_attrs({k: v for k, v in record.items() if k not in used})
        return f

    def _record(self, text: str) -> tuple[dict[str, object], str | None]:
        if text.startswith("{"):
            value = json.loads(text)  # JSONDecodeError is a ValueError
            if not isinstance(value, dict):
                raise ValueError("JSON value is not an object")
            return normalise_keys(value), None
        if not self.header.fields:
            raise ValueError("data line before any #fields header (feed the file from its start)")
        return self.header.record(text), self.header.path


def _runs(alone: list[bool]) -> list[tuple[int, int, bool]]:
    """(start, stop, alone) of the runs of equal flags."""
    runs = []
    start = 0
    for i in range(1, len(alone) + 1):
        if i == len(alone) or alone[i] != alone[start]:
            runs.append((start, i, alone[start]))
            start = i
    return runs


def make_zeek(options: ParserOptions) -> ZeekParser:
    return ZeekParser()
