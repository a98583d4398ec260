"""One benchmark run: for each size, generate the workload, then repeat every measurement.

Per size and repeat, in this order: reference ceilings (read, hash); then for each worker count
``k``: the per-stage pass, ingest+seal into fresh stores, verify; with ``k = 1`` also detect and
the query ceiling on that store; then the peers. Repeats are the outer loop, so slow drifts in
machine load spread over all measurements instead of hitting one.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from logchain.cli.bench import measure, sysinfo, tasks, workload
from logchain.cli.bench.measure import Sample
from logchain.cli.bench.results import Measurement, PeerStatus, QueryLatency, Results
from logchain.cli.bench.stages import STORAGE_CEILING

Progress = Callable[[str], None]
PEERS = ("rsyslog", "journal_fss")


@dataclass(frozen=True, slots=True)
class BenchConfig:
    """What to run (the ``logchain bench`` options)."""

    out: Path
    sizes: tuple[int, ...]
    headline: int
    workers: tuple[int, ...] = (1, 2)
    repeat: int = 3
    seed: int = 42
    peers: bool = True
    segment_records: int = 1_000_000
    event_rate: float = 10_000.0
    keep: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "sizes": list(self.sizes),
            "headline_size": self.headline,
            "workers": list(self.workers),
            "repeat": self.repeat,
            "seed": self.seed,
            "peers": self.peers,
            "segment_records": self.segment_records,
            "event_rate": self.event_rate,
        }


class _Collector:
    """Samples per (kind, name, size, workers), in run order."""

    def __init__(self) -> None:
        self.samples: dict[tuple[str, str, int, int], list[Sample]] = defaultdict(list)
        self.notes: dict[tuple[str, str, int, int], str] = {}
        self.latency: dict[tuple[str, int], tuple[list[float], list[float], int]] = {}

    def add(self, kind: str, name: str, size: int, k: int, s: Sample, note: str = "") -> None:
        self.samples[(kind, name, size, k)].append(s)
        if note:
            self.notes[(kind, name, size, k)] = note

    def measurements(self) -> list[Measurement]:
        return [
            Measurement(kind, name, size, k, tuple(runs), self.notes.get((kind, name, size, k), ""))
            for (kind, name, size, k), runs in self.samples.items()
        ]

    def queries(self) -> list[QueryLatency]:
        return [
            QueryLatency(name, size, tuple(lc), tuple(pl), rows)
            for (name, size), (lc, pl, rows) in self.latency.items()
        ]


def _one_k(
    pools: tasks.Pools, col: _Collector, wl: workload.Workload, size: int, k: int, cfg: BenchConfig
) -> None:
    work = cfg.out / "work"
    seg = cfg.segment_records
    shards = wl.shards(k)
    passes = pools.round(
        k,
        tasks.stage_pass,
        [(s, work / f"pass-{k}-{i}", seg) for i, s in enumerate(shards)],
    )
    formats = sorted({v for p in passes for v in p.result.formats.values()})
    for name in passes[0].result.samples:
        kind = "reference" if name == STORAGE_CEILING else "stage"
        kind = "parser" if name.startswith("parse:") else kind
        note = "parsers: " + ", ".join(formats) if name == "parse" else ""
        parts = [p.result.samples[name] for p in passes if name in p.result.samples]
        col.add(kind, name.removeprefix("parse:"), size, k, tasks.combine(parts), note)
    store = work / f"store-{k}"
    shutil.rmtree(store, ignore_errors=True)
    # One store, as `logchain ingest --workers K` writes it: parse workers, one writer.
    ing, sl = pools.round(1, tasks.ingest_and_seal, [(wl.files, store, seg, 0 if k == 1 else k)])[0]
    col.add("stage", "e2e_ingest", size, k, ing.sample, f"ingest --workers {0 if k == 1 else k}")
    col.add("stage", "seal", size, k, sl.sample)
    n, b = ing.sample.records, ing.sample.raw_bytes
    # verify --single-thread with one worker; threads (hashing beside decoding) with more.
    ver = pools.round(1, tasks.verify, [(store, n, b, k > 1)])[0]
    col.add("stage", "verify", size, k, ver.sample, "use_threads" if k > 1 else "single thread")
    if k == 1:
        q = pools.round(1, tasks.queries, [(store, n, b)])[0]
        col.add("stage", "detect", size, 1, q.detect, f"query set: {q.query_set}")
        col.add("reference", "query_ceiling", size, 1, q.ceiling, f"query set: {q.query_set}")
        for name, lat in q.ceiling_latency.items():
            lc, pl, _ = col.latency.setdefault((name, size), ([], [], q.rows[name]))
            if name in q.latency:
                lc.append(q.latency[name])
            pl.append(lat)
    shutil.rmtree(store, ignore_errors=True)


def _peers(
    pools: tasks.Pools,
    col: _Collector,
    status: dict[str, PeerStatus],
    wl: workload.Workload,
    size: int,
    work: Path,
    vers: dict[str, str],
) -> None:
    for name in PEERS:
        if name in status and not status[name].available:
            continue  # it could not run before: the reason is already recorded
        got = pools.round(1, tasks.peer, [(name, wl.files, work / f"peer-{name}")])[0]
        version = vers["rsyslog"] if name == "rsyslog" else vers["systemd"]
        if isinstance(got, str):
            status[name] = PeerStatus(name, False, version, reason=got)
            continue
        status[name] = PeerStatus(name, True, version, detail=got.detail)
        col.add("peer", name, size, 1, got.ingest)
        if got.verify is not None:
            col.add("peer", f"{name}_verify", size, 1, got.verify)


def _one_run(
    pools: tasks.Pools,
    col: _Collector,
    res: Results,
    wl: workload.Workload,
    size: int,
    r: int,
    cfg: BenchConfig,
    progress: Progress,
) -> None:
    """Run ``r`` of every measurement at ``size``; records how busy the machine was."""
    before, t0 = sysinfo.cpu_times(), time.perf_counter()
    step = f"size {size:,}: run {r + 1}/{cfg.repeat}"
    progress(f"{step}: reference ceilings")
    rd, hs = pools.round(1, tasks.refs, [(wl.files,)])[0]
    col.add("reference", "read_ceiling", size, 1, rd)
    col.add("reference", "hash_ceiling", size, 1, hs)
    for k in cfg.workers:
        progress(f"{step}: pipeline, {k} worker(s)")
        _one_k(pools, col, wl, size, k, cfg)
    if cfg.peers:
        progress(f"{step}: peers")
        _peers(pools, col, res.peers, wl, size, cfg.out / "work", res.versions)
    wall = time.perf_counter() - t0
    busy = sysinfo.busy_cores(before, sysinfo.cpu_times(), wall)
    res.load.append(
        {
            "size": size,
            "run": r,
            "wall_s": round(wall, 2),
            "busy_cores": round(busy, 2),
            "loadavg_1m": round(_loadavg(), 2),
        }
    )


def run_bench(cfg: BenchConfig, progress: Progress, argv: list[str]) -> Results:
    """Run everything ``cfg`` asks for; writes nothing but scratch files under ``cfg.out``."""
    t_start = time.perf_counter()
    cfg.out.mkdir(parents=True, exist_ok=True)
    work = cfg.out / "work"
    vers = sysinfo.versions()
    res = Results(
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        command=argv,
        config=cfg.to_json(),
        git=sysinfo.git_info(),
        machine=sysinfo.machine_info(cfg.out),
        versions=vers,
        rss_method=measure.rss_method(),
    )
    col = _Collector()
    pools = tasks.Pools()
    try:
        for size in cfg.sizes:
            progress(f"size {size:,}: generating the workload")
            wl = workload.generate(
                work / f"workload-{size}", records=size, seed=cfg.seed, parts=max(cfg.workers)
            )
            res.workloads[size] = wl.to_json()
            for r in range(cfg.repeat):
                _one_run(pools, col, res, wl, size, r, cfg, progress)
            if not cfg.keep:
                shutil.rmtree(wl.root, ignore_errors=True)
    finally:
        pools.close()
    if not cfg.peers:
        for name in PEERS:
            res.peers[name] = PeerStatus(name, False, "", reason="not run: --no-peers was given")
    res.measurements = col.measurements()
    res.queries = col.queries()
    res.duration_s = time.perf_counter() - t_start
    if not cfg.keep:
        shutil.rmtree(work, ignore_errors=True)
    return res


def _loadavg() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return -1.0


def default_argv() -> list[str]:
    return ["logchain", *sys.argv[1:]]
