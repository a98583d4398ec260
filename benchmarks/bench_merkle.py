"""Leaf hashing + Merkle root vs hashlib over the same bytes as one buffer."""

from __future__ import annotations

import hashlib

import pytest

from benchmarks.conftest import SIZES, record_reference, records_table
from logchain import leaves


@pytest.mark.benchmark(group="merkle")
@pytest.mark.parametrize("n", SIZES)
def bench_leaves_and_root(benchmark, n):
    """Leaf hashes + chunk roots + root of n records; reference: hashlib over their raw bytes."""
    table = records_table(n)

    def run():
        blob = leaves.leaf_hashes(table)
        return leaves.root_from_chunk_roots(leaves.chunk_roots(blob, 64))

    root = benchmark.pedantic(run, rounds=5, warmup_rounds=1)
    assert root == leaves.root_from_chunk_roots(
        leaves.chunk_roots(leaves.leaf_hashes(table, backend="python"), 64), backend="python"
    )
    buf = b"".join(table.column("raw").to_pylist())
    record_reference(benchmark, lambda: hashlib.sha256(buf).digest())
    benchmark.extra_info["records"] = n
    benchmark.extra_info["backend"] = leaves.available_backend()


@pytest.mark.benchmark(group="merkle")
@pytest.mark.parametrize("n", SIZES)
def bench_reference_hashlib_one_buffer(benchmark, n):
    """Reference: hashlib SHA-256 over the same raw bytes as one buffer."""
    buf = b"".join(records_table(n).column("raw").to_pylist())
    digest = benchmark.pedantic(lambda: hashlib.sha256(buf).digest(), rounds=5)
    assert digest == hashlib.sha256(buf).digest()
    benchmark.extra_info["records"] = n
