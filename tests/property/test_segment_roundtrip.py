"""Segment round-trip: write_segment then read back gives the same envelopes and tree."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from logchain import leaves, merkle
from logchain.record import Envelope, RecordFlag
from logchain.segment import RecordBatch, build_table, read_envelopes, read_meta, write_segment

record = st.tuples(
    st.sampled_from(["auth", "app.log", "/var/log/sécurité", "k"]),
    st.integers(min_value=0, max_value=2**64 - 1),
    st.integers(min_value=0, max_value=2**64 - 1),
    st.binary(max_size=400),
    st.integers(min_value=0, max_value=3),
)
_COUNTER = itertools.count()


@settings(max_examples=25)
@given(
    st.lists(record, min_size=1, max_size=150),
    st.integers(min_value=0, max_value=2**50),
    st.sampled_from([1, 2, 8, 64]),
)
def test_segment_round_trip(tmp_path_factory, rows, first, chunk_size):
    """Every envelope written comes back identical, and the footer root is the records' root."""
    sources, file_ids, offsets, raws, flags = (list(c) for c in zip(*rows, strict=True))
    n = len(rows)
    batch = RecordBatch(
        source=sources,
        source_file_id=file_ids,
        source_offset=offsets,
        raw=raws,
        flags=flags,
        derived={"parser": ["p"] * n, "parser_version": ["1"] * n},
    )
    ingest = 1_700_000_000_000_000_001
    table = build_table(batch, first_index=first, ingest_time_ns=ingest)
    path = tmp_path_factory.mktemp("seg") / f"{next(_COUNTER):012d}.parquet"
    written = write_segment(table, path, log_id="prop", seal_index=3, chunk_size=chunk_size)

    expected = [
        Envelope(first + i, ingest, s, f, o, r, RecordFlag(fl))
        for i, (s, f, o, r, fl) in enumerate(rows)
    ]
    got = _envelopes(read_envelopes(path))
    assert got == expected
    root = merkle.root_hash([merkle.hash_leaf(e.to_bytes()) for e in expected])
    meta = read_meta(path)
    assert written.root_hash == root
    assert (meta.root_hash, meta.first_index, meta.count) == (root.hex(), first, n)
    assert leaves.root_from_chunk_roots(meta.chunk_roots, backend="python") == root


def _envelopes(table):
    """The rows of an envelope table as Envelope values."""
    cols = {n: table.column(n).to_pylist() for n in table.column_names if n != "ingest_time"}
    ingest = table.column("ingest_time").cast("int64").to_pylist()
    return [
        Envelope(
            index=cols["index"][i],
            ingest_time_ns=ingest[i],
            source=cols["source"][i],
            source_file_id=cols["source_file_id"][i],
            source_offset=cols["source_offset"][i],
            raw=cols["raw"][i],
            flags=RecordFlag(cols["flags"][i]),
            version=cols["version"][i],
        )
        for i in range(table.num_rows)
    ]
