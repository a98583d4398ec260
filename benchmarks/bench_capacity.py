"""The capacity harness's per-stage pass over the mixed workload, and the storage ceiling.

`logchain bench` measures every stage at 1e4..1e7 records with peers and writes the capacity
report; this suite keeps two of its measurements in the pytest-benchmark history at CI sizes.
End-to-end ingest (one file, 0-2 parse workers) is in bench_ingest_e2e.py, parsing per format in
bench_ingest_parse.py, queries in bench_queries.py: not repeated here.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from logchain.cli.bench import e2e, references, stages, workload
from logchain.writer import SegmentLimits


@pytest.fixture(scope="module", params=[1_000, 100_000], ids=lambda n: f"{n}")
def logs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A seeded workload of every generated format (ingest.synth), in one part."""
    root = tmp_path_factory.mktemp("capacity") / "logs"
    return workload.generate(root, records=request.param, seed=42, parts=1, jobs=1)


@pytest.mark.benchmark(group="capacity")
def bench_stage_pass(benchmark, logs: workload.Workload, tmp_path: Path):
    """read -> parse -> envelope -> hash+Merkle -> segment write over every format, one process."""
    result = benchmark.pedantic(
        stages.stage_pass, args=(logs.files, tmp_path, SegmentLimits()), rounds=3
    )
    for name in stages.STAGES:
        assert result.samples[name].records == logs.records
        benchmark.extra_info[f"{name}_s"] = round(result.samples[name].wall_s, 4)
    benchmark.extra_info["records"] = logs.records
    benchmark.extra_info["raw_bytes"] = logs.bytes


@pytest.mark.benchmark(group="capacity")
def bench_reference_storage_ceiling(benchmark, logs: workload.Workload, tmp_path: Path):
    """Reference: pq.write_table of a sealed segment's table, same Parquet options, no hashing."""
    e2e.ingest(logs.files, tmp_path / "store", 1_000_000)
    seg = max((tmp_path / "store" / "segments").glob("*.parquet"), key=lambda p: p.stat().st_size)
    table = pq.read_table(seg)
    out = tmp_path / "ceiling.parquet"

    def write():
        return references.write_storage_ceiling(table, out)

    assert benchmark.pedantic(write, rounds=3) > 0
    benchmark.extra_info["records"] = table.num_rows
