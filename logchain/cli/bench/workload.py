"""The benchmark's input: a seeded, realistic set of log files of a given size, written streaming.

The lines come from :mod:`ingest.synth` (the project's generator: BSD syslog auth and system
logs, auditd, ECS JSON EDR events, nginx access logs, Zeek conn and dns, with embedded incidents).
Records are split over its files by their shares (``ingest.synth.FILES``) and each file over
``parts`` parts (``auth-0.log``, ``auth-1.log``, ...; part ``p`` uses seed ``seed + p``), so ``k``
workers can each take whole files: worker ``w`` takes the parts ``p`` with ``p % k == w``. Files
are written line by line from the generator's iterator in parallel processes, so 100M records
never sit in memory.
"""

from __future__ import annotations

import json
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from ingest import synth


@dataclass(frozen=True, slots=True)
class WorkFile:
    """One generated log file."""

    path: Path
    format: str
    part: int
    records: int
    bytes: int

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.path.name,
            "format": self.format,
            "part": self.part,
            "records": self.records,
            "bytes": self.bytes,
        }


@dataclass(frozen=True, slots=True)
class Workload:
    """A generated workload: its files and totals."""

    root: Path
    seed: int
    parts: int
    generator: str
    generate_s: float
    files: tuple[WorkFile, ...]

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files)

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.files)

    def shards(self, workers: int) -> list[tuple[WorkFile, ...]]:
        """The files of each of ``workers`` workers (whole files, balanced by part)."""
        return [tuple(f for f in self.files if f.part % workers == w) for w in range(workers)]

    def to_json(self) -> dict[str, object]:
        return {
            "records": self.records,
            "bytes": self.bytes,
            "seed": self.seed,
            "parts": self.parts,
            "generator": self.generator,
            "generate_s": round(self.generate_s, 3),
            "files": [f.to_json() for f in self.files],
        }


GENERATOR = "ingest.synth"
WRITE_BLOCK = 4096


def split_records(records: int, parts: int) -> dict[tuple[str, int], int]:
    """Records per (generated file, part): largest-remainder split of ``records`` by the shares."""
    cells = [(name, p) for name in synth.FILES for p in range(parts)]
    exact = {c: records * synth.FILES[c[0]][0] / parts for c in cells}
    out = {c: math.floor(v) for c, v in exact.items()}
    left = records - sum(out.values())
    for c in sorted(cells, key=lambda c: exact[c] - out[c], reverse=True)[:left]:
        out[c] += 1
    return out


def records_for_bytes(target_bytes: int, seed: int) -> int:
    """How many records make about ``target_bytes`` of log text (from a 20k-record sample)."""
    sample = 20_000
    size = 0
    for (name, _part), n in split_records(sample, 1).items():
        size += sum(len(line) + 1 for line in synth.iter_lines(name, seed=seed, records=n))
    return max(1, round(target_bytes * sample / size))


def part_path(root: Path, name: str, part: int) -> Path:
    """``auth.log`` part 1 -> ``root/auth-1.log`` (``syslog`` -> ``syslog-1``)."""
    stem, dot, suffix = name.partition(".")
    return root / f"{stem}-{part}{dot}{suffix}"


def _write_file(path: Path, name: str, part: int, records: int, seed: int) -> WorkFile:
    written = lines = 0
    block: list[bytes] = []
    with path.open("wb") as fh:
        for line in synth.iter_lines(name, seed=seed, records=records):
            block.append(line)
            if len(block) == WRITE_BLOCK:
                block.append(b"")
                data = b"\n".join(block)
                fh.write(data)
                written, lines, block = written + len(data), lines + WRITE_BLOCK, []
        if block:
            block.append(b"")
            data = b"\n".join(block)
            fh.write(data)
            written, lines = written + len(data), lines + len(block) - 1
    return WorkFile(path, synth.FORMATS[name], part, lines, written)


def generate(root: Path, *, records: int, seed: int, parts: int, jobs: int = 0) -> Workload:
    """Write a workload of ``records`` lines under ``root`` (created); returns its description."""
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    plan = [
        (part_path(root, name, part), name, part, n, seed + part)
        for (name, part), n in split_records(records, parts).items()
        if n > 0
    ]
    workers = max(1, min(jobs or (os.cpu_count() or 1), len(plan)))
    if workers == 1:
        files = tuple(_write_file(*args) for args in plan)
    else:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(_write_file, *args) for args in plan]
            files = tuple(f.result() for f in futures)
    wl = Workload(root, seed, parts, GENERATOR, time.perf_counter() - t0, files)
    (root / "workload.json").write_text(json.dumps(wl.to_json(), indent=2))
    return wl
