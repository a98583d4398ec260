"""Ingest a multi-GB syslog file with `logchain ingest`: throughput, CPU, and peak memory.

    python -m benchmarks.ingest_scale --gib 10 --workers 0 1 --dir /tmp/logchain-scale

The input is the seeded generator's ``auth.log`` (1M lines, ~107 MB) repeated to the size asked
for, written once under ``--dir`` (never in the repository). Each run ingests it into a fresh
store in a child process, and reports wall time, lines/s, the ratio to reading the same file
into pyarrow arrays in the same run, CPU seconds (main process, parser workers), and resident
memory: the peak of the main process, the peak of the whole process tree (with parser workers),
and the main process's peak in each tenth of the run (flat means bounded buffers). Output: one
JSON line per run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.bench_ingest_e2e import read_into_arrow
from ingest.synth import write_log

BLOCK_LINES = 1_000_000
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def make_input(directory: Path, gib: float) -> Path:
    """The input file of about ``gib`` GiB (made once; reused when it exists)."""
    path = directory / f"auth-{gib:g}GiB.log"
    if path.exists():
        return path
    block_path = directory / "auth-block.log"
    if not block_path.exists():
        write_log(block_path, "auth.log", seed=42, records=BLOCK_LINES)
    block = block_path.read_bytes()
    target = int(gib * 1024**3)
    with path.open("wb") as fh:
        for _ in range(max(1, target // len(block))):
            fh.write(block)
    return path


def tree_usage(root: int) -> dict[int, tuple[int, float]]:
    """Per process of the tree under ``root`` (itself included): resident bytes, CPU seconds."""
    children: dict[int, list[int]] = {}
    usage: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        usage[pid] = (int(fields[21]) * PAGE, (int(fields[11]) + int(fields[12])) / TICKS)
    tree: dict[int, tuple[int, float]] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in usage:
            tree[pid] = usage[pid]
        todo += children.get(pid, [])
    return tree


class Sampler(threading.Thread):
    """Samples the RSS of a process and of its process tree, and their CPU, every 0.5 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, int, int]] = []  # (time, main rss, tree rss)
        self.cpu: dict[int, float] = {}  # last CPU seconds seen per process of the tree
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            tree = tree_usage(self.pid)
            if self.pid in tree:
                total = sum(rss for rss, _ in tree.values())
                self.samples.append((time.monotonic(), tree[self.pid][0], total))
            for pid, (_, cpu) in tree.items():
                self.cpu[pid] = max(cpu, self.cpu.get(pid, 0.0))


def ingest_once(path: Path, work: Path, workers: int) -> dict[str, object]:
    store = work / f"store-w{workers}"
    shutil.rmtree(store, ignore_errors=True)
    logchain = Path(sys.executable).parent / "logchain"
    subprocess.run([str(logchain), "init", str(store)], check=True, capture_output=True)
    start = time.monotonic()
    cmd = [str(logchain), "ingest", "--store", str(store), "--workers", str(workers), "--json"]
    child = subprocess.Popen([*cmd, str(path)], stdout=subprocess.PIPE)
    sampler = Sampler(child.pid)
    sampler.start()
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - start
    sampler.done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"logchain ingest failed with exit code {child.returncode}")
    lines = int(json.loads(out)["records"])
    samples = sampler.samples
    tenths = [samples[i * len(samples) // 10 : (i + 1) * len(samples) // 10] for i in range(10)]
    peaks = [max(s[1] for s in part) for part in tenths if part]
    ref_start = time.monotonic()
    read_into_arrow(path)
    ref = time.monotonic() - ref_start
    return {
        "input_bytes": path.stat().st_size,
        "lines": lines,
        "workers": workers,
        "wall_s": round(wall, 1),
        "lines_per_s": round(lines / wall),
        "mb_per_s": round(path.stat().st_size / wall / 1e6, 1),
        "cpu_s_main": round(usage.ru_utime + usage.ru_stime, 1),
        "lines_per_cpu_s_main": round(lines / (usage.ru_utime + usage.ru_stime)),
        "cpu_s_workers": round(sum(c for p, c in sampler.cpu.items() if p != child.pid), 1),
        "reference_s": round(ref, 1),
        "ratio_to_reference": round(wall / ref, 1),
        "peak_rss_main_mib": round(usage.ru_maxrss / 1024),
        "peak_rss_tree_mib": round(max(s[2] for s in samples) / 2**20),
        "rss_main_peak_per_tenth_of_run_mib": [round(x / 2**20) for x in peaks],
        "store_bytes": sum(f.stat().st_size for f in store.rglob("*") if f.is_file()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gib", type=float, default=1.0)
    ap.add_argument("--workers", type=int, nargs="+", default=[0])
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "logchain-scale")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    path = make_input(args.dir, args.gib)
    for workers in args.workers:
        print(json.dumps(ingest_once(path, args.dir, workers)), flush=True)


if __name__ == "__main__":
    main()
