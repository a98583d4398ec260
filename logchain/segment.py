"""Segments: one write-once Parquet file of records per segment seal (format v1).

A segment holds the envelope columns, the derived columns and the parser columns
(:mod:`logchain.schema`), and these entries in the Parquet footer's key-value metadata
(``FileMetaData.key_value_metadata``; they are not in the embedded Arrow schema)::

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
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from logchain.errors import StorageError
from logchain.fileops import publish, temp_path
from logchain.hashing import HashingSink, SegmentHasher, Tree
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

    The leaf hashes, Merkle root and file SHA-256 are computed on a second thread while Parquet
    encodes (:mod:`logchain.hashing`); the ``logchain.*`` metadata goes into the Parquet footer's
    key-value metadata once the root is known.
    Raises ValueError if a record cannot be hashed, StorageError if ``path`` exists or the write
    fails; nothing is left behind on failure.
    """
    if table.num_rows == 0:
        raise ValueError("a segment holds at least one record")
    first_index = int(table.column("index")[0].as_py())
    table = table.replace_schema_metadata(None)
    meta = {
        "format": FORMAT,
        "log_id": log_id,
        "seal_index": str(seal_index),
        "first_index": str(first_index),
        "count": str(table.num_rows),
        "chunk_size": str(chunk_size),
    }
    hasher = SegmentHasher(table, chunk_size)
    with temp_path(path) as tmp:
        try:
            tree = _write_parquet(table, tmp, hasher, meta, final=path)
        except BaseException:
            hasher.abandon()
            raise
        sha = hasher.file_sha256()
        tmp.chmod(0o444)
        size = tmp.stat().st_size
        publish(tmp, path)
    ingest = table.column("ingest_time").cast(pa.int64())
    ev = pc.min_max(table.column("event_time"))
    return WrittenSegment(
        path=path,
        sha256=sha,
        size=size,
        first_index=first_index,
        count=table.num_rows,
        root_hash=tree.root_hash,
        chunk_size=chunk_size,
        first_ingest_ns=int(pc.min(ingest).as_py()),
        last_ingest_ns=int(pc.max(ingest).as_py()),
        first_event=_iso(ev["min"].as_py()),
        last_event=_iso(ev["max"].as_py()),
        parsers=_parser_versions(table),
    )


def _write_parquet(
    table: pa.Table, tmp: Path, hasher: SegmentHasher, meta: Mapping[str, str], *, final: Path
) -> Tree:
    """Encode ``table`` into the new file ``tmp`` while ``hasher`` works; returns the tree.

    ``meta`` plus the tree's ``root_hash`` and ``chunk_roots`` become the footer metadata.
    """
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fh:
            sink = HashingSink(fh, hasher)
            writer = pq.ParquetWriter(
                sink,  # type: ignore[arg-type]
                table.schema,
                compression=COMPRESSION,
                compression_level=COMPRESSION_LEVEL,
                use_dictionary=list(DICTIONARY_COLUMNS),  # type: ignore[arg-type]
                write_statistics=["index", "ingest_time", "event_time"],
            )
            try:
                writer.write_table(table, row_group_size=ROW_GROUP_SIZE)
                tree = hasher.tree()
                footer = {
                    **meta,
                    "root_hash": tree.root_hash.hex(),
                    "chunk_roots": base64.b64encode(tree.chunk_roots).decode(),
                }
                writer.add_key_value_metadata({META_PREFIX + k: v for k, v in footer.items()})
            finally:
                writer.close()
            sink.finish()
    except (OSError, pa.ArrowException) as exc:
        raise StorageError(f"could not write segment: {exc}", path=final) from exc
    return tree


def _parser_versions(table: pa.Table) -> dict[str, str]:
    """Parser name -> version(s) used in ``table`` (comma-joined when several)."""
    pairs: set[tuple[str, str]] = set()
    for batch in table.select(["parser", "parser_version"]).to_batches():
        p_keys, p_names = _dictionary_keys(batch.column(0))
        v_keys, v_names = _dictionary_keys(batch.column(1))
        width = len(v_names) + 1
        codes = pc.unique(pc.add(pc.multiply(p_keys.cast(pa.int64()), width), v_keys))
        for code in codes.to_pylist():
            pairs.add((p_names[code // width], v_names[code % width]))
    out: dict[str, str] = {}
    for name, version in sorted(pairs):
        out[name] = version if name not in out else f"{out[name]},{version}"
    return out


def _dictionary_keys(arr: pa.Array[Any]) -> tuple[Any, list[str]]:
    """Integer keys per row and the values they stand for (dictionary-encodes plain strings)."""
    encoded: Any = arr if pa.types.is_dictionary(arr.type) else arr.dictionary_encode()
    values = [str(v) for v in encoded.dictionary.to_pylist()]
    return encoded.indices, values


def _iso(value: object) -> str | None:
    if not isinstance(value, datetime):
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def read_meta(path: Path | pa.NativeFile) -> SegmentMeta:
    """Read a segment's ``logchain.*`` footer key-value metadata (unverified).

    Raises ValueError if it is not a readable v1 segment.
    """
    try:
        raw = pq.read_metadata(path).metadata or {}
    except (OSError, pa.ArrowException) as exc:
        raise ValueError(f"not a readable Parquet file: {exc}") from exc
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
    out: dict[tuple[str, int], int] = {}
    cols = ["source", "source_file_id", "source_offset", "raw", "flags"]
    for batch in table.select(cols).to_batches():
        col: Any = batch.column
        keys, names = _dictionary_keys(col(0))
        no_nl = pc.bit_wise_and(col(4), pa.scalar(int(RecordFlag.NO_NEWLINE), pa.uint8()))
        newline = pc.subtract(pa.scalar(1, pa.uint64()), no_nl.cast(pa.uint64()))
        length = pc.binary_length(col(3)).cast(pa.uint64())
        end = pc.add(pc.add(col(2), length), newline)
        grouped = (
            pa.table({"s": keys, "f": col(1), "e": end})
            .group_by(["s", "f"])
            .aggregate([("e", "max")])
        )
        for s, f, e in zip(
            grouped.column("s").to_pylist(),
            grouped.column("f").to_pylist(),
            grouped.column("e_max").to_pylist(),
            strict=True,
        ):
            key = (names[int(s or 0)], int(f or 0))
            out[key] = max(out.get(key, 0), int(e or 0))
    return out
