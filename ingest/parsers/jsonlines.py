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
from typing import Final

from ingest.parsers.arrays import decode_line
from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.cloudtrail import is_cloudtrail, map_cloudtrail
from ingest.parsers.columns import Fields, flatten, json_attrs, to_derived
from ingest.parsers.ecs import map_ecs
from ingest.parsers.zeek_fields import is_zeek, map_zeek, normalise_keys, stream_of

NAME: Final = "json"
VERSION: Final = "1"


@dataclass(frozen=True, slots=True)
class JsonLinesParser:
    name: str = NAME
    version: str = VERSION

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns per line; broken JSON gets parse_error (the line is kept)."""
        return to_derived([parse_object_line(line) for line in lines], self.name, self.version)


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
    flat = flatten(value)
    if is_cloudtrail(flat):
        used = map_cloudtrail(flat, f)
    elif is_zeek(flat):
        flat = normalise_keys(flat)
        used = map_zeek(flat, stream_of(flat), f)
    else:
        used = map_ecs(flat, f)
    f.attrs = json_attrs({k: v for k, v in flat.items() if k not in used})
    return f


def make_json(options: ParserOptions) -> JsonLinesParser:
    return JsonLinesParser()
