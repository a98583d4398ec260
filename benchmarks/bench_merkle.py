"""Leaf hashing + Merkle root vs hashlib over the same bytes as one buffer."""

from __future__ import annotations

import hashlib

import pytest

from logchain import leaves
from logchain.segment import RecordBatch, build_table


def _table(n: int):
    raw = [
        (b"Nov 25 10:00:00 host sshd[123]: Accepted password for user%d from 10.0.0.1 " % i).ljust(
            300, b"x"
        )
        for i in range(n)
    ]
    batch = RecordBatch(
        source=["auth"] * n,
        source_file_id=[1] * n,
        source_offset=[i * 301 for i in range(n)],
        raw=raw,
        flags=[0] * n,
        derived={"parser": ["generic"] * n, "parser_version": ["1"] * n},
    )
    return build_table(batch, first_index=0, ingest_time_ns=1)


@pytest.mark.benchmark(group="merkle")
@pytest.mark.parametrize("n", [1_000, 100_000])
def bench_leaves_and_root(benchmark, n):
    """Leaf hashes + chunk roots + root for n records of ~300 bytes."""
    table = _table(n)

    def run():
        blob = leaves.leaf_hashes(table)
        return leaves.root_from_chunk_roots(leaves.chunk_roots(blob, 64))

    root = benchmark(run)
    assert len(root) == 32
    benchmark.extra_info["records"] = n
    benchmark.extra_info["backend"] = leaves.available_backend()


@pytest.mark.benchmark(group="merkle")
@pytest.mark.parametrize("n", [1_000, 100_000])
def bench_reference_hashlib_one_buffer(benchmark, n):
    """Reference: hashlib SHA-256 over the same raw bytes as one buffer."""
    buf = b"".join(_table(n).column("raw").to_pylist())
    digest = benchmark(lambda: hashlib.sha256(buf).digest())
    assert len(digest) == 32
    benchmark.extra_info["records"] = n
