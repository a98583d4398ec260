"""End-to-end ingest+seal through the real `logchain ingest` path, and the storage ceiling.

The capacity report (`logchain bench`) measures every stage at 1e5..1e7 records with peers; this
suite keeps the end-to-end path in the pytest-benchmark history at CI sizes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from logchain import segment
from logchain.cli.bench import e2e, workload


@pytest.fixture(scope="module", params=[1_000, 100_000], ids=lambda n: f"{n}")
def logs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A seeded workload of every format (syslog auth, auditd, JSON, access, Zeek)."""
    root = tmp_path_factory.mktemp("e2e") / "logs"
    return workload.generate(root, records=request.param, seed=42, parts=1, jobs=1)


@pytest.mark.benchmark(group="e2e")
def bench_ingest_seal(benchmark, logs: workload.Workload, tmp_path: Path):
    """Ingest+seal every line into a fresh store (open seal to close seal)."""
    stores = iter(range(1_000))

    def setup():
        return (logs.files, tmp_path / f"store-{next(stores)}", 1_000_000), {}

    timed = benchmark.pedantic(e2e.ingest, setup=setup, rounds=3)
    assert timed.sample.records == logs.records
    assert timed.seals >= 3
    benchmark.extra_info["records"] = logs.records
    benchmark.extra_info["raw_bytes"] = logs.bytes


@pytest.mark.benchmark(group="e2e")
def bench_reference_storage_ceiling(benchmark, logs: workload.Workload, tmp_path: Path):
    """Reference: pq.write_table of the same segment table, same compression, no hashing."""
    e2e.ingest(logs.files, tmp_path / "store", 1_000_000)
    seg = max((tmp_path / "store" / "segments").glob("*.parquet"), key=lambda p: p.stat().st_size)
    table = pq.read_table(seg)
    out = tmp_path / "ceiling.parquet"

    def write():
        pq.write_table(
            table,
            out,
            compression=segment.COMPRESSION,
            compression_level=segment.COMPRESSION_LEVEL,
            row_group_size=segment.ROW_GROUP_SIZE,
        )
        return out.stat().st_size

    size = benchmark.pedantic(write, rounds=3)
    assert size > 0
    shutil.rmtree(tmp_path / "store")
    benchmark.extra_info["records"] = table.num_rows
