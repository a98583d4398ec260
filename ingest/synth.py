"""Seeded generator of realistic system-activity logs."""

from __future__ import annotations

import random
from pathlib import Path


def write_sample_logs(directory: Path, *, records: int, seed: int) -> list[Path]:
    """Write ``records`` syslog-style auth lines to ``directory``; returns the files written."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "auth.log"
    with path.open("wb") as fh:
        for i in range(records):
            user = rng.choice(["root", "alice", "bob", "admin"])
            ip = f"203.0.113.{rng.randint(1, 254)}"
            ok = rng.random() < 0.8
            verb = "Accepted" if ok else "Failed"
            fh.write(
                f"Nov 25 10:{i // 60 % 60:02d}:{i % 60:02d} web01 sshd[{1000 + i % 500}]: "
                f"{verb} password for {user} from {ip} port {1024 + i % 60000} ssh2\n".encode()
            )
    return [path]
