"""JSON lines: one JSON object per line, flattened, with ECS-style field mapping.

Each object is flattened to dotted keys; CloudTrail records (eventSource + eventName) and Zeek
records (uid + id.orig_h / id_orig_h) get their own mappings, every other object the ECS table
(:mod:`ingest.parsers.ecs`). Keys a column took leave attrs; all others stay, flattened. A line
that is not a JSON object keeps its text as the message and gets parse_error.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Final

from ingest.parsers.arrays import Part, combine, decode_line, finish
from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.cloudtrail import is_cloudtrail, map_cloudtrail
from ingest.parsers.columns import Fields, flatten, json_value, to_derived
from ingest.parsers.ecs import map_ecs
from ingest.parsers.ecs_batch import map_records
from ingest.parsers.json_arrow import read_groups
from ingest.parsers.zeek_fields import is_zeek, map_zeek, normalise_keys, stream_of

NAME: Final = "json"
VERSION: Final = "1"


@dataclass(frozen=True, slots=True)
class JsonLinesParser:
    name: str = NAME
    version: str = VERSION

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns per line; broken JSON gets parse_error (the line is kept).

        ECS and plain records are read by Arrow (json_arrow) and mapped per column
        (ecs_batch); CloudTrail and Zeek records, and whatever Arrow may read otherwise than
        ``json.loads``, go line by line.
        """
        n = len(lines)
        arrow = _arrow_rows(lines)
        groups, refused = read_groups([lines[i] for i in arrow]) if arrow else ([], [])
        parts: list[Part] = [
            ([arrow[r] for r in rows], map_records(leaves, len(rows))) for rows, leaves in groups
        ]
        alone = sorted(set(range(n)).difference(arrow).union(arrow[r] for r in refused))
        if alone:
            slow = self._lines([lines[i] for i in alone])
            slow.pop("parser"), slow.pop("parser_version")
            parts.append((alone, slow))
        columns = parts[0][1] if len(parts) == 1 else combine(parts, n)
        return finish(columns, n, NAME, VERSION)

    def _lines(self, lines: Sequence[bytes]) -> Derived:
        """Lines one by one."""
        rows = []
        for line in lines:
            try:
                value = json.loads(line.decode("utf-8"))  # a trailing CR is JSON whitespace
            except ValueError:  # bad UTF-8 or JSON: the general path says which
                rows.append(parse_object_line(line))
                continue
            rows.append(object_fields(value) if type(value) is dict else parse_object_line(line))
        return to_derived(rows, self.name, self.version)


#: Text in a line that may make it a CloudTrail or Zeek record (mapped line by line).
_OTHER_KINDS: Final = (b'"uid"', b'"eventSource"')


def _arrow_rows(lines: Sequence[bytes]) -> list[int]:
    """The lines Arrow may read (all, usually: tested on the joined batch first)."""
    joined = b"\n" + b"\n".join(lines)
    if (
        joined.count(b"\n{") == len(lines)
        and joined.isascii()
        and not any(kind in joined for kind in _OTHER_KINDS)
    ):
        return list(range(len(lines)))
    return [i for i, line in enumerate(lines) if _arrow_safe(line)]


def _arrow_safe(line: bytes) -> bool:
    """A line Arrow reads as json.loads does, unless it says otherwise (json_arrow).

    An object (``{`` first), valid UTF-8, no byte-order mark (Arrow skips one, json.loads
    refuses it), and not possibly a CloudTrail or Zeek record.
    """
    if line[:1] != b"{" or any(kind in line for kind in _OTHER_KINDS):
        return False
    if line.isascii():
        return True
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_object_line(line: bytes) -> Fields:
    """Fields of one JSON line (parse_error set when it is not a JSON object)."""
    text, err = decode_line(line)
    f = Fields()
    f.parse_error = err
    try:
        value = json.loads(text)
    except ValueError as exc:  # JSONDecodeError, or a number too large
        f.message = text
        f.parse_error = err or f"invalid JSON: {exc}"
        return f
    if not isinstance(value, dict):
        f.message = text
        f.parse_error = err or f"JSON {type(value).__name__} is not an object"
        return f
    return object_fields(value, f)


def object_fields(value: dict[str, object], f: Fields | None = None) -> Fields:
    """Fields of one JSON object."""
    if f is None:
        f = Fields()
    flat = flatten(value)
    if is_cloudtrail(flat):
        used = map_cloudtrail(flat, f)
    elif is_zeek(flat):
        flat = normalise_keys(flat)
        used = map_zeek(flat, stream_of(flat), f)
    else:
        used = map_ecs(flat, f)
    f.attrs = _attrs(flat, used)
    return f


def _attrs(flat: dict[str, object], used: set[str]) -> str | None:
    """json_attrs of the fields no column took (None values left out)."""
    parts = [
        f"{encode_basestring(k)}:{json_value(v)}"
        for k, v in flat.items()
        if v is not None and k not in used
    ]
    return "{" + ",".join(parts) + "}" if parts else None


def make_json(options: ParserOptions) -> JsonLinesParser:
    return JsonLinesParser()
