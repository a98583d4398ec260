"""The segment's Arrow/Parquet schema: envelope, derived (normalised) and parser columns.

Envelope columns are evidence (hashed into the Merkle tree). Derived columns are computed from
``raw`` by a named, versioned parser; they are covered by the segment file's SHA-256 in its seal but
not by the Merkle leaves, so a parser can be re-run later without touching the evidence.
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa

UTC_NS = pa.timestamp("ns", tz="UTC")
UTC_US = pa.timestamp("us", tz="UTC")
DICT_STR = pa.dictionary(pa.int32(), pa.string())

#: Envelope columns, in envelope order. ``ingest_time`` holds ``ingest_time_ns``.
ENVELOPE_FIELDS: Final = (
    pa.field("version", pa.uint8(), nullable=False),
    pa.field("flags", pa.uint8(), nullable=False),
    pa.field("index", pa.uint64(), nullable=False),
    pa.field("ingest_time", UTC_NS, nullable=False),
    pa.field("source", DICT_STR, nullable=False),
    pa.field("source_file_id", pa.uint64(), nullable=False),
    pa.field("source_offset", pa.uint64(), nullable=False),
    pa.field("raw", pa.binary(), nullable=False),
)
ENVELOPE_COLUMNS: Final = tuple(f.name for f in ENVELOPE_FIELDS)

#: Normalised fields every parser maps to (ECS-like names); all nullable.
DERIVED_FIELDS: Final = (
    pa.field("event_time", UTC_US),
    pa.field("event_time_raw", pa.string()),
    pa.field("host", DICT_STR),
    pa.field("app", DICT_STR),
    pa.field("pid", pa.int64()),
    pa.field("severity", DICT_STR),
    pa.field("event_type", DICT_STR),
    pa.field("event_id", pa.string()),
    pa.field("user", pa.string()),
    pa.field("src_ip", pa.string()),
    pa.field("src_port", pa.int32()),
    pa.field("dst_ip", pa.string()),
    pa.field("dst_port", pa.int32()),
    pa.field("action", DICT_STR),
    pa.field("object", pa.string()),
    pa.field("outcome", DICT_STR),
    pa.field("bytes_in", pa.int64()),
    pa.field("bytes_out", pa.int64()),
    pa.field("message", pa.string()),
    pa.field("attrs", pa.string()),  # JSON object text of every other field
)
DERIVED_COLUMNS: Final = tuple(f.name for f in DERIVED_FIELDS)

#: Which parser produced the derived columns, and whether it failed (the record is kept anyway).
PARSER_FIELDS: Final = (
    pa.field("parser", DICT_STR, nullable=False),
    pa.field("parser_version", DICT_STR, nullable=False),
    pa.field("parse_error", pa.string()),
)
PARSER_COLUMNS: Final = tuple(f.name for f in PARSER_FIELDS)

SEGMENT_SCHEMA: Final = pa.schema([*ENVELOPE_FIELDS, *DERIVED_FIELDS, *PARSER_FIELDS])
ALL_COLUMNS: Final = tuple(SEGMENT_SCHEMA.names)

#: Outcome values (closed set).
OUTCOMES: Final = ("success", "failure", "unknown")

#: Columns whose values repeat a lot (dictionary-encoded in Parquet).
DICTIONARY_COLUMNS: Final = (
    *(f.name for f in SEGMENT_SCHEMA if pa.types.is_dictionary(f.type)),
    "user",
    "src_ip",
    "dst_ip",
    "event_time_raw",
)
