"""Segments: one write-once Parquet file of records per segment seal (format v1).

A segment holds the envelope columns, the derived columns and the parser columns
(:mod:`logchain.schema`), and key-value metadata::

    logchain.format       "logchain/v1"
    logchain.log_id       the store's log id
    logchain.seal_index   number of the seal that covers this file
    logchain.first_index  index of the first record
    logchain.count        number of records
    logchain.root_hash    hex RFC 6962 root over the records' envelopes
    logchain.chunk_size   leaves per chunk root (a power of two)
    logchain.chunk_roots  base64 of the concatenated chunk roots (they fold to root_hash)

Leaf hashes are not stored (recomputed from the envelope columns on verify).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from logchain import leaves
from logchain.errors import StorageError
from logchain.fileops import file_sha256, publish, temp_path
from logchain.record import ENVELOPE_VERSION, RecordFlag
from logchain.schema import (
    DERIVED_FIELDS,
    DICTIONARY_COLUMNS,
    ENVELOPE_COLUMNS,
    PARSER_FIELDS,
    SEGMENT_SCHEMA,
)
from logchain.statement import FORMAT
from logchain.types import RootHash

CHUNK_SIZE = 64
ROW_GROUP_SIZE = 128 * 1024
COMPRESSION: Literal["zstd"] = "zstd"
COMPRESSION_LEVEL = 1

META_PREFIX = "logchain."


@dataclass(slots=True)
class RecordBatch:
    """Lines handed to the writer: envelope inputs plus derived columns, one list entry per line.

    Each envelope input is a list or an Arrow array of values. ``derived`` maps column names
    from :data:`logchain.schema.DERIVED_COLUMNS` and ``parser``/``parser_version``/``parse_error``
    to a list (or Arrow array) of values; missing derived columns are null. ``parser`` and
    ``parser_version`` are required.
    """

    source: Sequence[str] | pa.Array[Any]
    source_file_id: Sequence[int] | pa.Array[Any]
    source_offset: Sequence[int] | pa.Array[Any]
    raw: Sequence[bytes] | pa.Array[Any]
    flags: Sequence[int] | pa.Array[Any]
    derived: Mapping[str, Sequence[object] | pa.Array[Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.raw)


@dataclass(frozen=True, slots=True)
class SegmentMeta:
    """Metadata read from a segment file's footer (unverified until checked against a seal)."""

    format: str
    log_id: str
    seal_index: int
    first_index: int
    count: int
    root_hash: str
    chunk_size: int
    chunk_roots: bytes


@dataclass(frozen=True, slots=True)
class WrittenSegment:
    """A segment file as written: what its seal will state."""

    path: Path
    sha256: str
    size: int
    first_index: int
    count: int
    root_hash: RootHash
    chunk_size: int
    first_ingest_ns: int
    last_ingest_ns: int
    first_event: str | None
    last_event: str | None
    parsers: dict[str, str]


def build_table(batch: RecordBatch, *, first_index: int, ingest_time_ns: int) -> pa.Table:
    """Arrow table of ``batch`` with indices from ``first_index`` and one ingest time.

    Raises ValueError if a column has the wrong length or a required column is absent.
    """
    n = len(batch)
    for name in ("source", "source_file_id", "source_offset", "flags"):
        if len(getattr(batch, name)) != n:
            raise ValueError(f"column {name!r} has {len(getattr(batch, name))} values, raw has {n}")
    arrays: dict[str, pa.Array[Any]] = {
        "version": pa.array([ENVELOPE_VERSION] * n, pa.uint8()),
        "flags": pa.array(batch.flags, pa.uint8()),
        "index": pa.array(range(first_index, first_index + n), pa.uint64()),
        "ingest_time": pa.array([ingest_time_ns] * n, pa.int64()).cast(
            SEGMENT_SCHEMA.field("ingest_time").type
        ),
        "source": pa.array(batch.source, pa.string()).dictionary_encode(),
        "source_file_id": pa.array(batch.source_file_id, pa.uint64()),
        "source_offset": pa.array(batch.source_offset, pa.uint64()),
        "raw": pa.array(batch.raw, pa.binary()),
    }
    for f in (*DERIVED_FIELDS, *PARSER_FIELDS):
        values = batch.derived.get(f.name)
        if values is None:
            if not f.nullable:
                raise ValueError(f"derived column {f.name!r} is required")
            arrays[f.name] = pa.nulls(n, f.type)
            continue
        if len(values) != n:
            raise ValueError(f"derived column {f.name!r} has {len(values)} values, raw has {n}")
        arrays[f.name] = _to_array(values, f.type, f.name)
    return pa.Table.from_arrays(list(arrays.values()), schema=SEGMENT_SCHEMA)


def _to_array(
    values: Sequence[object] | pa.Array[Any], typ: pa.DataType, name: str
) -> pa.Array[Any]:
    try:
        arr: Any
        if isinstance(values, pa.Array):
            arr = values
        elif pa.types.is_dictionary(typ):
            arr = pa.array(values, pa.string())
        else:
            arr = pa.array(values, typ)
        if arr.type != typ:
            arr = arr.cast(typ)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as exc:
        raise ValueError(f"derived column {name!r}: {exc}") from exc
    out: pa.Array[Any] = arr
    return out


def write_segment(
    table: pa.Table, path: Path, *, log_id: str, seal_index: int, chunk_size: int = CHUNK_SIZE
) -> WrittenSegment:
    """Hash ``table``'s records and write it write-once to ``path``.

    Raises StorageError if ``path`` exists or the write fails; nothing is left behind on failure.
    """
    if table.num_rows == 0:
        raise ValueError("a segment holds at least one record")
    leaf_blob = leaves.leaf_hashes(table)
    roots = leaves.chunk_roots(leaf_blob, chunk_size)
    root = leaves.root_from_chunk_roots(roots)
    first_index = int(table.column("index")[0].as_py())
    meta = {
        "format": FORMAT,
        "log_id": log_id,
        "seal_index": str(seal_index),
        "first_index": str(first_index),
        "count": str(table.num_rows),
        "root_hash": root.hex(),
        "chunk_size": str(chunk_size),
        "chunk_roots": base64.b64encode(roots).decode(),
    }
    schema_meta = {f"{META_PREFIX}{k}".encode(): v.encode() for k, v in meta.items()}
    table = table.replace_schema_metadata(schema_meta)
    with temp_path(path) as tmp:
        try:
            pq.write_table(
                table,
                tmp,
                compression=COMPRESSION,
                compression_level=COMPRESSION_LEVEL,
                row_group_size=ROW_GROUP_SIZE,
                use_dictionary=list(DICTIONARY_COLUMNS),  # type: ignore[arg-type]
                write_statistics=["index", "ingest_time", "event_time"],
            )
        except (OSError, pa.ArrowException) as exc:
            raise StorageError(f"could not write segment: {exc}", path=path) from exc
        tmp.chmod(0o444)
        sha = file_sha256(tmp)
        size = tmp.stat().st_size
        publish(tmp, path)
    ingest = table.column("ingest_time").cast(pa.int64())
    ev = pc.min_max(table.column("event_time"))
    parsers = _parser_versions(table)
    return WrittenSegment(
        path=path,
        sha256=sha,
        size=size,
        first_index=first_index,
        count=table.num_rows,
        root_hash=root,
        chunk_size=chunk_size,
        first_ingest_ns=int(pc.min(ingest).as_py()),
        last_ingest_ns=int(pc.max(ingest).as_py()),
        first_event=_iso(ev["min"].as_py()),
        last_event=_iso(ev["max"].as_py()),
        parsers=parsers,
    )


def _parser_versions(table: pa.Table) -> dict[str, str]:
    pairs = (
        pa.table(
            {
                "p": table.column("parser").cast(pa.string()),
                "v": table.column("parser_version").cast(pa.string()),
            }
        )
        .group_by(["p", "v"])
        .aggregate([])
    )
    out: dict[str, str] = {}
    for p, v in zip(pairs.column("p").to_pylist(), pairs.column("v").to_pylist(), strict=True):
        name, version = str(p), str(v)
        out[name] = version if name not in out else ",".join(sorted({out[name], version}))
    return out


def _iso(value: object) -> str | None:
    if not isinstance(value, datetime):
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def read_meta(path: Path) -> SegmentMeta:
    """Read a segment's footer metadata; raises ValueError if it is not a v1 segment."""
    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException) as exc:
        raise ValueError(f"not a readable Parquet file: {exc}") from exc
    raw = schema.metadata or {}
    meta = {
        k.decode()[len(META_PREFIX) :]: v.decode()
        for k, v in raw.items()
        if k.startswith(META_PREFIX.encode())
    }
    try:
        return SegmentMeta(
            format=meta["format"],
            log_id=meta["log_id"],
            seal_index=int(meta["seal_index"]),
            first_index=int(meta["first_index"]),
            count=int(meta["count"]),
            root_hash=meta["root_hash"],
            chunk_size=int(meta["chunk_size"]),
            chunk_roots=base64.b64decode(meta["chunk_roots"], validate=True),
        )
    except (KeyError, ValueError, binascii.Error) as exc:
        raise ValueError(f"segment metadata is missing or malformed: {exc}") from exc


def read_envelopes(path: Path, *, use_threads: bool = True) -> pa.Table:
    """The envelope columns of a segment; raises ValueError if unreadable."""
    try:
        return pq.read_table(path, columns=list(ENVELOPE_COLUMNS), use_threads=use_threads)
    except (OSError, pa.ArrowException) as exc:
        raise ValueError(f"cannot read the envelope columns: {exc}") from exc


def read_rows(path: Path, start: int, stop: int, columns: Sequence[str] | None = None) -> pa.Table:
    """Rows ``start``..``stop`` (exclusive, 0-based row numbers) of a segment."""
    try:
        pf = pq.ParquetFile(path)
        out: list[pa.Table] = []
        row = 0
        for rg in range(pf.num_row_groups):
            n = pf.metadata.row_group(rg).num_rows
            if row + n > start and row < stop:
                t = pf.read_row_group(rg, columns=list(columns) if columns else None)
                lo, hi = max(start - row, 0), min(stop - row, n)
                out.append(t.slice(lo, hi - lo))
            row += n
        return pa.concat_tables(out) if out else pq.read_schema(path).empty_table()
    except (OSError, pa.ArrowException) as exc:
        raise ValueError(f"cannot read rows {start}..{stop}: {exc}") from exc


def end_offsets(table: pa.Table) -> dict[tuple[str, int], int]:
    """Per (source, file_id): the file offset just past the last record's bytes and newline."""
    no_nl = pc.bit_wise_and(
        table.column("flags"), pa.scalar(int(RecordFlag.NO_NEWLINE), pa.uint8())
    )
    newline = pc.subtract(pa.scalar(1, pa.uint64()), no_nl.cast(pa.uint64()))
    length = pc.binary_length(table.column("raw")).cast(pa.uint64())
    end = pc.add(pc.add(table.column("source_offset"), length), newline)
    grouped = (
        pa.table(
            {
                "s": table.column("source").cast(pa.string()),
                "f": table.column("source_file_id"),
                "e": end,
            }
        )
        .group_by(["s", "f"])
        .aggregate([("e", "max")])
    )
    out: dict[tuple[str, int], int] = {}
    for s, f, e in zip(
        grouped.column("s").to_pylist(),
        grouped.column("f").to_pylist(),
        grouped.column("e_max").to_pylist(),
        strict=True,
    ):
        out[(str(s), int(f or 0))] = int(e or 0)
    return out
