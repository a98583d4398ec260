"""Full store verification vs ``hashlib.file_digest`` of the same segment files.

Verify recomputes every leaf from the stored envelope columns, rebuilds the Merkle roots, hashes
every file and checks every seal (signature and RFC 3161 token) and link. The single-thread run
is the one-core figure of the targets (``logchain verify --single-thread``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from benchmarks.conftest import SIZES, make_batch, record_reference
from logchain.cli.init import init_store
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import SystemClock
from logchain.store import Store
from logchain.verify import verify_log
from logchain.writer import LogWriter, SegmentLimits

_STORES: dict[int, Store] = {}


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory):
    """Builds one closed store per size on first use (n records in one segment)."""
    base = tmp_path_factory.mktemp("verify-stores")

    def get(n: int) -> Store:
        if n not in _STORES:
            store = init_store(base / f"store{n}", seal_interval=3600)
            limits = SegmentLimits(max_records=10**9, max_bytes=2**40, max_age_s=3600)
            with LogWriter(
                store, store_sealer(store), store_verifier(store), SystemClock(), limits=limits
            ) as writer:
                writer.append(make_batch(n))
            _STORES[n] = store
        return _STORES[n]

    yield get
    _STORES.clear()


def _file_digests(paths: list[Path]) -> list[str]:
    out = []
    for p in paths:
        with p.open("rb") as fh:
            out.append(hashlib.file_digest(fh, "sha256").hexdigest())
    return out


@pytest.mark.benchmark(group="verify")
@pytest.mark.parametrize("threads", ["single-thread", "threads"])
@pytest.mark.parametrize("n", SIZES)
def bench_verify_store(benchmark, n, threads, stores):
    """verify_log over a closed store of n records; reference: file_digest of its segments."""
    store = stores(n)
    verifier = store_verifier(store)
    report = benchmark.pedantic(
        verify_log,
        args=(store, verifier, SystemClock()),
        kwargs={"use_threads": threads == "threads"},
        rounds=5,
        warmup_rounds=1,
    )
    assert report.records == n + 2  # the batch plus the writer's open and close records
    files = sorted(store.segments_dir.glob("*.parquet"))
    record_reference(benchmark, lambda: _file_digests(files))
    benchmark.extra_info["records"] = report.records
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        benchmark.extra_info["records_per_s"] = report.records / stats.stats.median


@pytest.mark.benchmark(group="verify")
@pytest.mark.parametrize("n", SIZES)
def bench_reference_file_digest(benchmark, n, stores):
    """Reference: hashlib.file_digest (SHA-256) of the same segment files."""
    files = sorted(stores(n).segments_dir.glob("*.parquet"))
    digests = benchmark.pedantic(_file_digests, args=(files,), rounds=5)
    assert len(digests) == len(files)
    benchmark.extra_info["records"] = n
