"""`logchain bench` end to end at a tiny size: results.json, report.md and plots are written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logchain.cli import main
from logchain.cli.bench.analysis import STAGE_LABELS
from logchain.cli.bench.results import SCHEMA, load

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench-run")
    argv = ["bench", "--records", "3000", "--sizes", "1000", "--repeat", "2", "--workers", "2"]
    argv += ["--segment-records", "1000", "--no-peers", "--out", str(out)]
    assert main(argv) == 0
    return out


class TestBenchCommand:
    def test_results_cover_every_stage_size_and_worker_count(self, run_dir: Path) -> None:
        """Every stage is measured at both sizes with 1 and 2 workers, with both runs kept."""
        res = load(run_dir / "results.json")
        assert res.sizes() == [1000, 3000]
        assert res.worker_counts() == [1, 2]
        for size in (1000, 3000):
            records = res.workloads[size]["records"]
            for name in STAGE_LABELS:
                workers = (1,) if name == "detect" else (1, 2)
                for k in workers:
                    m = res.find("stage", name, size, k)
                    assert m is not None, (name, size, k)
                    assert len(m.runs) == 2
                    assert all(r.records == records for r in m.runs)
            for ref in ("read_ceiling", "hash_ceiling", "storage_ceiling", "query_ceiling"):
                assert res.find("reference", ref, size, 1) is not None
            assert res.find("parser", "rfc3164", size, 1) is not None

    def test_results_json_documents_the_machine(self, run_dir: Path) -> None:
        """Schema, machine, versions and git commit are in the file."""
        raw = json.loads((run_dir / "results.json").read_text())
        assert raw["schema"] == SCHEMA
        assert raw["machine"]["cores"] >= 1
        assert raw["machine"]["ram_bytes"] > 0
        for key in ("python", "pyarrow", "duckdb", "openssl", "logchain"):
            assert raw["versions"][key]
        assert "commit" in raw["git"]
        assert raw["workloads"]["3000"]["records"] >= 3000
        assert raw["workloads"]["3000"]["generator"] == "ingest.synth"

    def test_skipped_peers_say_why(self, run_dir: Path) -> None:
        """With --no-peers both peers are listed as not measured, with the reason."""
        res = load(run_dir / "results.json")
        assert {p.name for p in res.peers.values()} == {"rsyslog", "journal_fss"}
        assert all(not p.available and "--no-peers" in p.reason for p in res.peers.values())
        assert "not measured" in (run_dir / "report.md").read_text()

    def test_report_links_plots_that_exist(self, run_dir: Path) -> None:
        """The report has the headline section and every plot it links is a PNG on disk."""
        text = (run_dir / "report.md").read_text()
        assert "## Headline ratios" in text
        links = [
            line.split("(", 1)[1].rstrip(")") for line in text.splitlines() if line.startswith("![")
        ]
        assert len(links) == 7
        for link in links:
            assert (run_dir / link).read_bytes().startswith(PNG)

    def test_work_files_are_removed(self, run_dir: Path) -> None:
        """Generated logs and stores are deleted unless --keep is given."""
        assert not (run_dir / "work").exists()

    def test_run_compares_clean_with_itself(self, run_dir: Path) -> None:
        """A results file compared with itself has no regression."""
        path = str(run_dir / "results.json")
        assert main(["bench", "--compare", path, path]) == 0

    def test_render_redraws_from_results(self, run_dir: Path, tmp_path: Path) -> None:
        """--render rebuilds report.md and the plots from a results.json without measuring."""
        out = tmp_path / "again"
        assert main(["bench", "--render", str(run_dir / "results.json"), "--out", str(out)]) == 0
        assert (out / "report.md").read_text().startswith("# logchain capacity report")
        assert len(list((out / "plots").glob("*.png"))) == 7
