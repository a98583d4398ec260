"""Stage pass, end-to-end path, queries and references on a tiny real workload (no timings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from logchain.cli.bench import detect, e2e, measure, references, stages, workload
from logchain.writer import SegmentLimits


class TestMeasure:
    def test_peak_rss_is_per_stage(self) -> None:
        """After a reset, the peak is the stage's own, not an earlier stage's larger one."""
        if measure.rss_method() != "clear_refs":
            pytest.skip("this kernel cannot reset the RSS high-water mark")
        meter = measure.Meter()
        with meter.stage("big"):
            block = bytearray(300 * 1024 * 1024)
            block[::4096] = b"x" * len(block[::4096])
            del block
        with meter.stage("small"):
            _ = bytearray(1024)
        big, small = meter.stages["big"].peak_rss, meter.stages["small"].peak_rss
        assert big - small > 250 * 1024 * 1024

    def test_cpu_time_counts_work(self) -> None:
        """A busy loop shows up as CPU seconds of the stage."""
        meter = measure.Meter()
        with meter.stage("spin"):
            sum(i * i for i in range(2_000_000))
        assert meter.stages["spin"].cpu_s > 0
        assert meter.stages["spin"].calls == 1


class TestStagePass:
    def test_every_stage_sees_every_record(
        self, tiny_workload: workload.Workload, tmp_path: Path
    ) -> None:
        """Each stage of the pass counts all records and bytes; segments are measured, not kept."""
        res = stages.stage_pass(tiny_workload.files, tmp_path, SegmentLimits(max_records=700))
        for name in (*stages.STAGES, stages.STORAGE_CEILING):
            s = res.samples[name]
            assert s.records == tiny_workload.records, name
            assert s.raw_bytes == tiny_workload.bytes, name
            assert s.wall_s > 0
        assert res.segments == 3  # 2,000 records cut at 700
        assert res.samples["segment_write"].disk_bytes > 0
        assert res.samples[stages.STORAGE_CEILING].disk_bytes > 0
        assert not list(tmp_path.glob("*.parquet"))
        assert set(res.formats) == {f.path.name for f in tiny_workload.files}
        parsers = {name.removeprefix("parse:") for name in res.samples if name.startswith("parse:")}
        assert parsers == {f.split("/")[0] for f in res.formats.values()}
        per_format = sum(res.samples[f"parse:{p}"].records for p in parsers)
        assert per_format == res.samples["parse"].records


class TestEndToEnd:
    def test_ingest_seal_verify_detect(
        self, tiny_workload: workload.Workload, tmp_path: Path
    ) -> None:
        """The real ingest path stores every line; verify, seal and queries run on that store."""
        files = tiny_workload.files
        store = tmp_path / "store"
        ing = e2e.ingest(files, store, max_records=1_000)
        assert ing.sample.records == tiny_workload.records
        assert ing.sample.disk_bytes > 0
        assert ing.seals >= 4  # open, two segments, close
        ver = e2e.verify(store, ing.sample.records, ing.sample.raw_bytes)
        assert ver.sample.disk_bytes > 0
        sl = e2e.seal(store, ing.seals, ing.sample.records, ing.sample.raw_bytes)
        assert sl.sample.wall_s > 0
        q = detect.run_queries(store, ing.sample.records, ing.sample.raw_bytes)
        probes = {p.name for p in detect.PROBES}
        assert set(q.latency) == probes
        assert probes < set(q.ceiling_latency)  # every rule of the pack, and the probes
        assert q.rows["probe:point_lookup"] == 1
        assert q.rows["probe:text_scan"] == 1  # one row: the count
        assert (store / "findings").is_dir()  # the real `logchain detect` wrote its receipt

    def test_parse_workers_are_measured(
        self, tiny_workload: workload.Workload, tmp_path: Path
    ) -> None:
        """With parse worker processes, their CPU time is added to the ingest's."""
        ing = e2e.ingest(tiny_workload.files, tmp_path / "store", 1_000_000, workers=2)
        assert ing.sample.records == tiny_workload.records
        tree = measure.TreeSampler(interval=0.01)
        with tree:
            e2e.ingest(tiny_workload.files, tmp_path / "store2", 1_000_000, workers=2)
        assert tree.cpu_s > 0
        assert tree.peak_rss > 0


class TestReferences:
    def test_read_and_hash_cover_every_byte(self, tiny_workload: workload.Workload) -> None:
        """Both ceilings go over exactly the workload's bytes."""
        rd = references.read_ceiling(tiny_workload.files)
        hs = references.hash_ceiling(tiny_workload.files)
        assert rd.raw_bytes == hs.raw_bytes == tiny_workload.bytes
        assert rd.records == hs.records == tiny_workload.records
