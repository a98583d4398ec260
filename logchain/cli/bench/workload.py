"""The benchmark's input: a seeded, realistic set of log files of a given size, written streaming.

Records are split over the formats by :data:`synthlog.MIX` and each format over ``parts`` files
(``auth-0.log``, ``auth-1.log``, ...), so ``k`` workers can each take whole files: worker ``w``
takes the parts ``p`` with ``p % k == w``. Files are generated in parallel processes, one block at
a time, so 100M records never sit in memory.
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

from logchain.cli.bench import synthlog
from logchain.cli.bench.synthlog import Format


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


def split_records(records: int, parts: int) -> dict[tuple[Format, int], int]:
    """Records per (format, part): largest-remainder split of ``records`` by the mix."""
    cells = [(fmt, p) for fmt in synthlog.MIX for p in range(parts)]
    exact = {c: records * synthlog.MIX[c[0]] / parts for c in cells}
    out = {c: math.floor(v) for c, v in exact.items()}
    left = records - sum(out.values())
    for c in sorted(cells, key=lambda c: exact[c] - out[c], reverse=True)[:left]:
        out[c] += 1
    return out


def records_for_bytes(target_bytes: int, seed: int) -> int:
    """How many records make about ``target_bytes`` of log text (from a 20k-record sample)."""
    sample = 20_000
    size = 0
    for (fmt, _part), n in split_records(sample, 1).items():
        size += sum(len(b) for b, _ in synthlog.generate_blocks(fmt, n, seed))
    return max(1, round(target_bytes * sample / size))


def _write_file(path: Path, fmt: Format, records: int, seed: int) -> WorkFile:
    written = 0
    with path.open("wb") as fh:
        for block, _n in synthlog.generate_blocks(fmt, records, seed):
            fh.write(block)
            written += len(block)
    part = int(path.stem.rsplit("-", 1)[1])
    return WorkFile(path, fmt, part, records, written)


def generate(root: Path, *, records: int, seed: int, parts: int, jobs: int = 0) -> Workload:
    """Write a workload of ``records`` lines under ``root`` (created); returns its description."""
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    plan = [
        (root / f"{synthlog.FILE_NAMES[fmt]}-{part}{synthlog.SUFFIX[fmt]}", fmt, n, seed + part)
        for (fmt, part), n in split_records(records, parts).items()
        if n > 0
    ]
    workers = max(1, min(jobs or (os.cpu_count() or 1), len(plan)))
    if workers == 1:
        files = tuple(_write_file(*args) for args in plan)
    else:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(_write_file, *args) for args in plan]
            files = tuple(f.result() for f in futures)
    wl = Workload(root, seed, parts, synthlog.GENERATOR_VERSION, time.perf_counter() - t0, files)
    (root / "workload.json").write_text(json.dumps(wl.to_json(), indent=2))
    return wl
