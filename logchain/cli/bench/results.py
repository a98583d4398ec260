"""``results.json``: what one ``logchain bench`` run measured (schema ``logchain-bench/1``).

Every measurement keeps its raw runs; summaries (medians, spread) are recomputed from them on
load, so a file can be compared without trusting its summary. docs/CAPACITY.md documents the
schema field by field.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from logchain.cli.bench.measure import Sample
from logchain.errors import UsageError

SCHEMA = "logchain-bench/1"

#: Metric name -> (how to compute it from a run, True if higher is better).
METRICS: dict[str, tuple[Callable[[Sample], float | None], bool]] = {
    "records_per_s": (lambda s: s.records / s.wall_s if s.wall_s > 0 else None, True),
    "mb_per_s": (lambda s: s.raw_bytes / 1e6 / s.wall_s if s.wall_s > 0 else None, True),
    "cpu_s_per_m": (lambda s: s.cpu_s / s.records * 1e6 if s.records else None, False),
    "peak_rss": (lambda s: float(s.peak_rss), False),
    "disk_bytes_per_m": (
        lambda s: s.disk_bytes / s.records * 1e6 if s.disk_bytes and s.records else None,
        False,
    ),
    "compression_ratio": (
        lambda s: s.disk_bytes / s.raw_bytes if s.disk_bytes and s.raw_bytes else None,
        False,
    ),
    "wall_s": (lambda s: s.wall_s, False),
}


@dataclass(frozen=True, slots=True)
class Measurement:
    """One thing measured at one size and worker count, with every repeated run."""

    kind: str  # stage | reference | peer
    name: str
    size: int
    workers: int
    runs: tuple[Sample, ...]
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.name}@{self.size}x{self.workers}"

    def values(self, metric: str) -> list[float]:
        fn = METRICS[metric][0]
        return [v for v in (fn(r) for r in self.runs) if v is not None]

    def median(self, metric: str) -> float | None:
        vals = self.values(metric)
        return statistics.median(vals) if vals else None

    def spread(self, metric: str) -> float:
        """Relative range of the runs, (max - min) / median (0 with fewer than 2 runs)."""
        vals = self.values(metric)
        if len(vals) < 2:
            return 0.0
        mid = statistics.median(vals)
        return (max(vals) - min(vals)) / mid if mid else 0.0

    def to_json(self) -> dict[str, Any]:
        summary = {m: self.median(m) for m in METRICS}
        summary["spread_records_per_s"] = self.spread("records_per_s")
        return {
            "key": self.key,
            "kind": self.kind,
            "name": self.name,
            "size": self.size,
            "workers": self.workers,
            "note": self.note,
            "median": summary,
            "runs": [r.to_json() for r in self.runs],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Measurement:
        return cls(
            kind=str(d["kind"]),
            name=str(d["name"]),
            size=int(d["size"]),
            workers=int(d["workers"]),
            runs=tuple(Sample.from_json(r) for r in d["runs"]),
            note=str(d.get("note", "")),
        )


@dataclass(frozen=True, slots=True)
class QueryLatency:
    """Latency of one query at one store size: verified connection (probes only) vs unverified."""

    name: str
    size: int
    logchain_s: tuple[float, ...]
    plain_s: tuple[float, ...]
    rows: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "size": self.size,
            "logchain_s": list(self.logchain_s),
            "plain_s": list(self.plain_s),
            "median_logchain_s": statistics.median(self.logchain_s) if self.logchain_s else None,
            "median_plain_s": statistics.median(self.plain_s),
            "rows": self.rows,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> QueryLatency:
        return cls(
            str(d["name"]),
            int(d["size"]),
            tuple(float(x) for x in d["logchain_s"]),
            tuple(float(x) for x in d["plain_s"]),
            int(d["rows"]),
        )


@dataclass(frozen=True, slots=True)
class PeerStatus:
    """Whether a peer ran, and if not, why (never silently omitted)."""

    name: str
    available: bool
    version: str
    reason: str = ""
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "available": self.available,
            "version": self.version,
            "reason": self.reason,
            "detail": self.detail,
        }


@dataclass(slots=True)
class Results:
    """Everything one run produced."""

    created: str
    command: list[str]
    config: dict[str, Any]
    git: dict[str, Any]
    machine: dict[str, Any]
    versions: dict[str, str]
    rss_method: str
    workloads: dict[int, dict[str, Any]] = field(default_factory=dict)
    measurements: list[Measurement] = field(default_factory=list)
    queries: list[QueryLatency] = field(default_factory=list)
    peers: dict[str, PeerStatus] = field(default_factory=dict)
    load: list[dict[str, Any]] = field(default_factory=list)
    duration_s: float = 0.0

    def find(self, kind: str, name: str, size: int, workers: int = 1) -> Measurement | None:
        for m in self.measurements:
            if (m.kind, m.name, m.size, m.workers) == (kind, name, size, workers):
                return m
        return None

    def sizes(self) -> list[int]:
        return sorted({m.size for m in self.measurements})

    def worker_counts(self) -> list[int]:
        return sorted({m.workers for m in self.measurements})

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "created": self.created,
            "command": self.command,
            "duration_s": round(self.duration_s, 1),
            "config": self.config,
            "git": self.git,
            "machine": self.machine,
            "versions": self.versions,
            "rss_method": self.rss_method,
            "load": self.load,
            "workloads": {str(k): v for k, v in sorted(self.workloads.items())},
            "peers": {k: v.to_json() for k, v in sorted(self.peers.items())},
            "measurements": [m.to_json() for m in self.measurements],
            "queries": [q.to_json() for q in self.queries],
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n")


def load(path: Path) -> Results:
    """Read a results.json; raises UsageError if it is not one (or of another schema)."""
    try:
        d = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"cannot read {path}: {exc}", hint="Pass a results.json written by `logchain bench`."
        ) from exc
    if not isinstance(d, dict) or d.get("schema") != SCHEMA:
        raise UsageError(
            f"{path} is not a {SCHEMA} results file",
            hint="Compare two results.json files written by `logchain bench`.",
        )
    return Results(
        created=str(d["created"]),
        command=list(d["command"]),
        config=dict(d["config"]),
        git=dict(d["git"]),
        machine=dict(d["machine"]),
        versions=dict(d["versions"]),
        rss_method=str(d.get("rss_method", "")),
        workloads={int(k): v for k, v in d.get("workloads", {}).items()},
        measurements=[Measurement.from_json(m) for m in d["measurements"]],
        queries=[QueryLatency.from_json(q) for q in d.get("queries", [])],
        peers={
            k: PeerStatus(
                str(v["name"]),
                bool(v["available"]),
                str(v["version"]),
                str(v.get("reason", "")),
                str(v.get("detail", "")),
            )
            for k, v in d.get("peers", {}).items()
        },
        load=list(d.get("load", [])),
        duration_s=float(d.get("duration_s", 0.0)),
    )


def merge_runs(
    kind: str, name: str, size: int, workers: int, runs: Iterable[Sample]
) -> Measurement:
    return Measurement(kind, name, size, workers, tuple(runs))
