"""The benchmark workload: seeded, complete, split as promised, streamed to disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest import synth
from logchain.cli.bench import workload
from logchain.cli.bench.command import parse_count
from logchain.errors import UsageError
from tests.bench.conftest import file_lines


class TestSplitRecords:
    def test_every_record_is_placed(self) -> None:
        """The per-(format, part) counts add up to exactly the records asked for."""
        for n in (1, 7, 1000, 123_457):
            assert sum(workload.split_records(n, 3).values()) == n

    def test_follows_the_mix(self) -> None:
        """Each generated file gets its share of the records."""
        split = workload.split_records(100_000, 2)
        for name, (share, _parser) in synth.FILES.items():
            assert split[(name, 0)] + split[(name, 1)] == pytest.approx(100_000 * share, abs=2)


class TestGenerate:
    def test_files_hold_what_the_manifest_says(self, tiny_workload: workload.Workload) -> None:
        """Line counts and sizes on disk equal the workload's description and its JSON."""
        # At least what was asked: a tiny file still gets all of its incident and header lines.
        assert tiny_workload.records >= 2_000
        for f in tiny_workload.files:
            assert file_lines(f.path) == f.records
            assert f.path.stat().st_size == f.bytes
        saved = json.loads((tiny_workload.root / "workload.json").read_text())
        assert saved["records"] == tiny_workload.records
        assert saved["bytes"] == tiny_workload.bytes

    def test_all_five_formats_in_every_part(self, tiny_workload: workload.Workload) -> None:
        """Both parts hold every generated file, so each worker gets the same mix."""
        for shard in tiny_workload.shards(2):
            assert {f.format for f in shard} == set(synth.FORMATS.values())
            assert len(shard) == len(synth.FILES)

    def test_one_worker_takes_every_file(self, tiny_workload: workload.Workload) -> None:
        """With one worker the single shard is the whole workload."""
        assert tiny_workload.shards(1) == [tiny_workload.files]

    def test_same_seed_same_bytes(self, tmp_path: Path) -> None:
        """The generator is deterministic for a seed and differs for another."""
        a = workload.generate(tmp_path / "a", records=500, seed=3, parts=1, jobs=1)
        b = workload.generate(tmp_path / "b", records=500, seed=3, parts=1, jobs=1)
        c = workload.generate(tmp_path / "c", records=500, seed=4, parts=1, jobs=1)
        for fa, fb, fc in zip(a.files, b.files, c.files, strict=True):
            assert fa.path.read_bytes() == fb.path.read_bytes()
            assert fa.path.read_bytes() != fc.path.read_bytes()

    def test_big_sizes_are_exact(self, tmp_path: Path) -> None:
        """Above the incident lines, every file holds exactly its planned share."""
        wl = workload.generate(tmp_path / "w", records=40_000, seed=1, parts=1, jobs=1)
        assert wl.records == 40_000
        planned = workload.split_records(40_000, 1)
        for f in wl.files:
            name = next(
                n for n in synth.FILES if workload.part_path(tmp_path / "w", n, 0) == f.path
            )
            assert f.records == planned[(name, 0)]

    def test_records_for_bytes_lands_near_the_target(self, tmp_path: Path) -> None:
        """Asking for bytes gives a record count whose files are within 10% of that size."""
        n = workload.records_for_bytes(300_000, 5)
        wl = workload.generate(tmp_path / "w", records=n, seed=5, parts=1, jobs=1)
        assert wl.bytes == pytest.approx(300_000, rel=0.1)


class TestParseCount:
    @pytest.mark.parametrize(
        ("text", "value"),
        [("1e6", 1_000_000), ("250k", 250_000), ("1M", 1_000_000), ("1_000", 1000), ("12", 12)],
    )
    def test_accepts(self, text: str, value: int) -> None:
        """Counts may be written in several common ways."""
        assert parse_count(text) == value

    @pytest.mark.parametrize("text", ["", "abc", "0", "-5", "1.5"])
    def test_refuses(self, text: str) -> None:
        """Anything else is a usage error that says how to write a count."""
        with pytest.raises(UsageError, match="count"):
            parse_count(text)
