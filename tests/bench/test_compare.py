"""`logchain bench --compare`: regressions beyond the runs' noise fail, noise does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from logchain.cli import main
from logchain.cli.bench import compare
from logchain.cli.bench.measure import Sample
from logchain.cli.bench.results import Measurement, Results, load


def _results(walls: dict[str, list[float]], kind: str = "stage") -> Results:
    """Results whose measurements took ``walls`` seconds for 1M records (one entry per run)."""
    res = Results(
        created="2026-01-01T00:00:00+00:00",
        command=["logchain", "bench"],
        config={"repeat": 3},
        git={"commit": "0" * 40},
        machine={"cores": 2},
        versions={"python": "3.11"},
        rss_method="clear_refs",
    )
    for name, ws in walls.items():
        runs = tuple(Sample(w, w, 100_000_000, 1_000_000, 200_000_000, 70_000_000) for w in ws)
        res.measurements.append(Measurement(kind, name, 1_000_000, 1, runs))
    return res


class TestCompare:
    def test_slower_beyond_noise_is_a_regression(self) -> None:
        """30% more time with 2% spread is a regression of records/s and CPU per record."""
        old = _results({"e2e_ingest": [10.0, 10.1, 10.2]})
        new = _results({"e2e_ingest": [13.0, 13.1, 13.2]})
        changes = compare.compare(old, new)
        bad = {c.metric for c in changes if c.gates}
        assert bad == {"records_per_s", "cpu_s_per_m"}

    def test_change_within_the_spread_is_noise(self) -> None:
        """A 10% shift when the runs themselves spread 40% is not flagged."""
        old = _results({"verify": [8.0, 10.0, 12.0]})
        new = _results({"verify": [9.0, 11.0, 13.0]})
        assert not [c for c in compare.compare(old, new) if c.verdict != "same"]

    def test_one_slow_run_does_not_fail(self) -> None:
        """A median shift carried by overlapping runs (one run as fast as before) is noise."""
        old = _results({"parse": [10.0, 10.0, 10.5]})
        new = _results({"parse": [10.2, 13.0, 13.5]})
        assert not any(c.gates for c in compare.compare(old, new))

    def test_faster_is_an_improvement(self) -> None:
        """Half the time is reported as an improvement and does not fail."""
        changes = compare.compare(_results({"parse": [4.0, 4.0]}), _results({"parse": [2.0, 2.0]}))
        assert {c.verdict for c in changes if c.metric == "records_per_s"} == {"improvement"}
        assert not any(c.gates for c in changes)

    def test_reference_changes_are_context_only(self) -> None:
        """A slower reference means the machine changed: shown, but it does not fail."""
        old = _results({"hash_ceiling": [1.0, 1.0]}, kind="reference")
        new = _results({"hash_ceiling": [2.0, 2.0]}, kind="reference")
        changes = compare.compare(old, new)
        assert any(c.verdict == "regression" for c in changes)
        assert not any(c.gates for c in changes)


class TestCompareCommand:
    def _write(self, tmp_path: Path, name: str, res: Results) -> Path:
        path = tmp_path / name
        res.write(path)
        return path

    def test_exit_1_on_regression(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """The command prints the regression and exits 1."""
        old = self._write(tmp_path, "old.json", _results({"e2e_ingest": [10.0, 10.0, 10.1]}))
        new = self._write(tmp_path, "new.json", _results({"e2e_ingest": [20.0, 20.0, 20.1]}))
        assert main(["bench", "--compare", str(old), str(new)]) == 1
        assert "REGRESSION: stage/e2e_ingest@1000000x1 records_per_s" in capsys.readouterr().out

    def test_exit_0_within_noise(self, tmp_path: Path) -> None:
        """Identical runs compare clean."""
        old = self._write(tmp_path, "old.json", _results({"verify": [5.0, 5.1, 5.2]}))
        new = self._write(tmp_path, "new.json", _results({"verify": [5.1, 5.0, 5.2]}))
        assert main(["bench", "--compare", str(old), str(new)]) == 0

    def test_not_a_results_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Any other JSON is a usage error (exit 2) naming the file."""
        bad = tmp_path / "x.json"
        bad.write_text('{"schema": "something-else"}')
        assert main(["bench", "--compare", str(bad), str(bad)]) == 2
        err = " ".join(capsys.readouterr().err.split())  # the console wraps long lines
        assert "x.json is not a logchain-bench/1 results file" in err

    def test_round_trip_keeps_runs(self, tmp_path: Path) -> None:
        """results.json keeps every run, and medians are recomputed from them on load."""
        res = _results({"parse": [1.0, 2.0, 4.0]})
        back = load(self._write(tmp_path, "r.json", res))
        m = back.measurements[0]
        assert len(m.runs) == 3
        assert m.median("records_per_s") == pytest.approx(500_000)
        assert m.spread("records_per_s") == pytest.approx((1e6 - 2.5e5) / 5e5)
