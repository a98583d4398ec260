"""``logchain bench --compare OLD NEW``: flag regressions beyond the runs' own noise.

For every measurement present in both files and every metric, the medians are compared. The
noise band is the larger of the two files' spreads for that metric ((max - min) / median of the
repeated runs) and a floor (5% by default). A change is a regression when the median moved beyond
the band in the bad direction *and* the runs do not overlap (every new run worse than every old
run): on a shared machine one slow run must not fail a comparison. Only logchain's own stages
gate the exit code; references, parsers and peers are shown as context (if they moved too, the
machine changed, not the code).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from logchain.cli.bench.results import METRICS, Results

Verdict = Literal["regression", "improvement", "same"]
GATED_METRICS = ("records_per_s", "cpu_s_per_m", "disk_bytes_per_m", "peak_rss")
DEFAULT_FLOOR = 0.05


@dataclass(frozen=True, slots=True)
class Change:
    """One metric of one measurement, old vs new."""

    key: str
    kind: str
    metric: str
    old: float
    new: float
    band: float
    verdict: Verdict

    @property
    def relative(self) -> float:
        return (self.new - self.old) / self.old if self.old else 0.0

    @property
    def gates(self) -> bool:
        """Whether this change fails the comparison (a regression of logchain's own code)."""
        return self.verdict == "regression" and self.kind == "stage"


def compare(old: Results, new: Results, *, floor: float = DEFAULT_FLOOR) -> list[Change]:
    """Every comparable metric of every measurement both files have, in ``new``'s order."""
    before = {m.key: m for m in old.measurements}
    out: list[Change] = []
    for m in new.measurements:
        o = before.get(m.key)
        if o is None:
            continue
        for metric in GATED_METRICS:
            a, b = o.median(metric), m.median(metric)
            if a is None or b is None or a == 0:
                continue
            band = max(floor, o.spread(metric), m.spread(metric))
            higher_better = METRICS[metric][1]
            rel = (b - a) / a
            worse = -rel if higher_better else rel
            ov, nv = o.values(metric), m.values(metric)
            apart_worse = (min(ov) > max(nv)) if higher_better else (max(ov) < min(nv))
            apart_better = (max(ov) < min(nv)) if higher_better else (min(ov) > max(nv))
            verdict: Verdict = "same"
            if worse > band and apart_worse:
                verdict = "regression"
            elif -worse > band and apart_better:
                verdict = "improvement"
            out.append(Change(m.key, m.kind, metric, a, b, band, verdict))
    return out


def render(changes: list[Change]) -> list[str]:
    """Lines for the terminal: regressions first, then improvements, then a count of the rest."""
    lines: list[str] = []
    for verdict in ("regression", "improvement"):
        for c in changes:
            if c.verdict != verdict:
                continue
            tag = verdict.upper() if c.gates else f"{verdict} (context: {c.kind})"
            lines.append(
                f"{tag}: {c.key} {c.metric} {c.old:.4g} -> {c.new:.4g} "
                f"({c.relative:+.1%}, noise band ±{c.band:.0%})"
            )
    same = sum(1 for c in changes if c.verdict == "same")
    lines.append(f"{len(changes)} metrics compared: {same} within noise.")
    return lines
