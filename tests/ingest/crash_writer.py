"""The application side of the crash test: appends to log files and rotates them, seeded.

Run as ``python -m tests.ingest.crash_writer DIR SEED``. For each file it keeps, under
``DIR/expected/NAME``, every byte it ever wrote to ``DIR/logs/NAME`` (the ground truth), and it
stops when ``DIR/stop`` exists. Half the files rotate by rename-and-create, half by copytruncate
(copy, then truncate, with no write in between: this writer is the only application, so no line
can fall between the copy and the truncation). Lines are unique; some are written in two parts
(a partial line is visible for a while), some are longer than the tailer's cap, some are not
UTF-8.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

KEEP = 40  # rotated generations kept (~100 s of history); the oldest is deleted
ROTATE_EVERY = (1.5, 4.0)  # seconds between rotations of one file


@dataclass
class LogFile:
    name: str
    mode: str  # "rename" or "copytruncate"
    live: Path
    expected: BinaryIO
    fh: BinaryIO
    seq: int = 0
    next_rotation: float = 0.0
    rotations: list[str] = field(default_factory=list)

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.fh.flush()
        self.expected.write(data)
        self.expected.flush()


def line(rng: random.Random, f: LogFile) -> bytes:
    f.seq += 1
    kind = rng.random()
    body = f"{f.name} seq={f.seq} pid={os.getpid()} ".encode()
    if kind < 0.01:
        body += b"L" * rng.randint(5000, 20000)  # longer than the tailer's cap (4 KiB)
    elif kind < 0.03:
        body += bytes(rng.randrange(256) for _ in range(40)).replace(b"\n", b"?")
    else:
        body += b"x" * rng.randint(0, 120)
    return body + b"\n"


def rotate(f: LogFile) -> None:
    d = f.live.parent
    oldest = d / f"{f.name}.{KEEP}"
    oldest.unlink(missing_ok=True)
    for i in range(KEEP - 1, 0, -1):
        src = d / f"{f.name}.{i}"
        if src.exists():
            src.rename(d / f"{f.name}.{i + 1}")
    if f.mode == "rename":
        f.fh.close()
        f.live.rename(d / f"{f.name}.1")
        f.fh = f.live.open("ab")
    else:
        shutil.copyfile(f.live, d / f"{f.name}.1")
        os.truncate(f.live, 0)
    f.rotations.append(f.mode)


def main(base: Path, seed: int) -> None:
    rng = random.Random(seed)
    logs, expected = base / "logs", base / "expected"
    logs.mkdir(exist_ok=True)
    expected.mkdir(exist_ok=True)
    now = time.monotonic()
    files = []
    for i, mode in enumerate(["rename", "copytruncate", "rename", "copytruncate"]):
        name = f"app{i}.log"
        live = logs / name
        files.append(
            LogFile(
                name,
                mode,
                live,
                (expected / name).open("ab"),
                live.open("ab"),
                next_rotation=now + rng.uniform(*ROTATE_EVERY),
            )
        )
    while not (base / "stop").exists():
        f = rng.choice(files)
        data = b"".join(line(rng, f) for _ in range(rng.randint(1, 40)))
        if rng.random() < 0.1:  # a line visible in two parts
            cut = rng.randint(1, len(data) - 1)
            f.write(data[:cut])
            time.sleep(rng.uniform(0, 0.05))
            f.write(data[cut:])
        else:
            f.write(data)
        if time.monotonic() >= f.next_rotation:
            rotate(f)
            f.next_rotation = time.monotonic() + rng.uniform(*ROTATE_EVERY)
        time.sleep(rng.uniform(0, 0.004))
    for f in files:
        f.fh.close()
        f.expected.close()
    (base / "writer-done").write_text(
        "\n".join(f"{f.name} {f.seq} {len(f.rotations)}" for f in files)
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
