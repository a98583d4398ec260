"""How one piece of work is measured: wall time, CPU time, peak RSS, records and bytes.

CPU time is ``getrusage(RUSAGE_SELF)`` user+system, so it counts every thread of the process
(pyarrow and DuckDB thread pools included); work done in child processes (the local OpenSSL TSA,
peers) is added from ``RUSAGE_CHILDREN`` or from ``wait4`` of that child.

Peak RSS per stage: on Linux the process's high-water mark (``VmHWM``) is reset to the current
RSS by writing ``5`` to ``/proc/self/clear_refs`` before the stage and read back after it, so a
stage's peak is its own even when an earlier stage used more memory. It includes the process's
baseline (interpreter, libraries, whatever the pipeline holds at that moment). Where that file
cannot be written, ``ru_maxrss`` is used instead: the process's peak so far (``rss_method``
says which).
"""

from __future__ import annotations

import os
import re
import resource
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

RssMethod = Literal["clear_refs", "ru_maxrss"]

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
_HWM = re.compile(rb"VmHWM:\s+(\d+)\s+kB")


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured run of one piece of work."""

    wall_s: float
    cpu_s: float
    peak_rss: int
    records: int
    raw_bytes: int
    disk_bytes: int = 0

    def to_json(self) -> dict[str, float | int]:
        return {
            "wall_s": self.wall_s,
            "cpu_s": self.cpu_s,
            "peak_rss": self.peak_rss,
            "records": self.records,
            "raw_bytes": self.raw_bytes,
            "disk_bytes": self.disk_bytes,
        }

    @classmethod
    def from_json(cls, data: dict[str, float | int]) -> Sample:
        return cls(
            wall_s=float(data["wall_s"]),
            cpu_s=float(data["cpu_s"]),
            peak_rss=int(data["peak_rss"]),
            records=int(data["records"]),
            raw_bytes=int(data["raw_bytes"]),
            disk_bytes=int(data.get("disk_bytes", 0)),
        )


def cpu_seconds(*, children: bool = False) -> float:
    """User+system CPU seconds of this process (all threads), plus reaped children if asked."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    total = ru.ru_utime + ru.ru_stime
    if children:
        rc = resource.getrusage(resource.RUSAGE_CHILDREN)
        total += rc.ru_utime + rc.ru_stime
    return total


def rss_method() -> RssMethod:
    """Whether per-stage peaks are available here (see the module docstring)."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return "ru_maxrss"
    return "clear_refs"


def reset_peak_rss() -> None:
    """Reset the process's RSS high-water mark to its current RSS (no-op where unsupported)."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return


def peak_rss() -> int:
    """Peak RSS in bytes since the last :func:`reset_peak_rss` (or since start)."""
    try:
        m = _HWM.search(_STATUS.read_bytes())
    except OSError:
        m = None
    if m is not None:
        return int(m.group(1)) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@dataclass(slots=True)
class Accumulator:
    """Sums the calls of one stage over a streaming pass (peak RSS is the max over calls)."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss: int = 0
    records: int = 0
    raw_bytes: int = 0
    disk_bytes: int = 0
    calls: int = 0

    def sample(self) -> Sample:
        return Sample(
            self.wall_s, self.cpu_s, self.peak_rss, self.records, self.raw_bytes, self.disk_bytes
        )


@dataclass(slots=True)
class Meter:
    """Per-stage accumulators for one pass; ``with meter.stage("parse"): ...`` times a call."""

    stages: dict[str, Accumulator] = field(default_factory=dict)
    children: bool = False

    @contextmanager
    def stage(self, name: str, also: str | None = None) -> Iterator[Accumulator]:
        """Time one call of stage ``name`` (and charge the same figures to ``also`` if given)."""
        acc = self.stages.setdefault(name, Accumulator())
        extra = self.stages.setdefault(also, Accumulator()) if also else None
        reset_peak_rss()
        c0 = cpu_seconds(children=self.children)
        t0 = time.perf_counter()
        try:
            yield acc
        finally:
            wall = time.perf_counter() - t0
            cpu = cpu_seconds(children=self.children) - c0
            peak = peak_rss()
            for a in (acc, extra) if extra else (acc,):
                a.wall_s += wall
                a.cpu_s += cpu
                a.peak_rss = max(a.peak_rss, peak)
                a.calls += 1


@contextmanager
def measured(records: int, raw_bytes: int, *, children: bool = True) -> Iterator[list[Sample]]:
    """Measure the block as one Sample, appended to the yielded list when the block ends."""
    out: list[Sample] = []
    reset_peak_rss()
    c0 = cpu_seconds(children=children)
    t0 = time.perf_counter()
    yield out
    wall = time.perf_counter() - t0
    out.append(Sample(wall, cpu_seconds(children=children) - c0, peak_rss(), records, raw_bytes))


def tree_bytes(path: Path) -> int:
    """Total size of the regular files under ``path`` (apparent sizes)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            p = Path(root, name)
            if p.is_file() and not p.is_symlink():
                total += p.stat().st_size
    return total


def _proc_stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds, RSS bytes) of a live process, from /proc/<pid>/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    page = os.sysconf("SC_PAGE_SIZE")
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks, int(fields[21]) * page


class TreeSampler:
    """CPU and memory of this process's grandchildren and deeper (e.g. a parse worker pool).

    Direct children that exit are counted by ``RUSAGE_CHILDREN``; processes further down (the
    workers a forkserver forks) are not, so a thread samples ``/proc`` every ``interval``
    seconds: CPU is each process's last reading less its reading when first seen before the
    start, and peak RSS the largest sum over one sample. Work in the last ``interval`` of a
    process's life is missed.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self._base: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-tree-sampler", daemon=True)

    def _descendants(self) -> dict[int, tuple[float, int]]:
        me = os.getpid()
        table: dict[int, tuple[int, float, int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (st := _proc_stat(int(entry))) is not None:
                table[int(entry)] = st
        out: dict[int, tuple[float, int]] = {}
        for pid, (_ppid, cpu, rss) in table.items():
            chain: list[int] = []
            p = pid
            while p in table and p != me and len(chain) < 64:
                chain.append(p)
                p = table[p][0]
            if p == me and len(chain) >= 2:  # a grandchild or deeper
                out[pid] = (cpu, rss)
        return out

    def sample(self, *, first: bool = False) -> None:
        seen = self._descendants()
        for pid, (cpu, _rss) in seen.items():
            if first:
                self._base[pid] = cpu
            self._last[pid] = cpu
        self.peak_rss = max(self.peak_rss, sum(rss for _cpu, rss in seen.values()))

    @property
    def cpu_s(self) -> float:
        return sum(cpu - self._base.get(pid, 0.0) for pid, cpu in self._last.items())

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> TreeSampler:
        self.sample(first=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
