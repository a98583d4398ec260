"""Exactly once through crashes: `logchain watch` killed with SIGKILL at random moments.

A writer process (tests/ingest/crash_writer.py) appends to four files and rotates them, two by
rename-and-create and two by copytruncate, for the whole test. Meanwhile the daemon is started
and killed with SIGKILL 22 times, at seeded random moments: a fifth of them anywhere in
start-up, the others 0-3 s after its writer session opened (while reading, parsing, sealing).
Then the writer stops, the daemon runs once more and is stopped with SIGTERM (exit 0), and a
one-shot `logchain ingest` reads what is left.

Afterwards every byte the writer wrote to each file is in the sealed store exactly once and in
order (each source's records rebuilt: raw + \\n unless NO_NEWLINE, continuations joined), no gap
was recorded, and `logchain verify` passes.

What copytruncate guarantees here: every line that is in the copy or written after the
truncation is stored exactly once. A line written by another program between the copy and the
truncation is in neither file, and no tailer can store it; this writer never writes in between,
so the test holds the tailer to "nothing lost" without that inherent race.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from logchain.catalog import verified_catalog
from logchain.cli.wiring import store_verifier
from logchain.store import Store
from tests.ingest.tailkit import events, rebuild, source_records, wait_for

SEED = 20261125
KILLS = 22
EARLY = 0.2  # share of kills at a random moment of start-up rather than of running
REPO = Path(__file__).resolve().parents[2]
LOGCHAIN = Path(sys.executable).parent / "logchain"


def config(base: Path, store: Store) -> Path:
    path = base / "logchain.toml"
    path.write_text(
        f"""
store = "{store.root}"

[segments]
max_age = 0.5

[watch]
rotate_wait = 1.0
rescan_interval = 1.0

[defaults]
max_line_bytes = 4096
backlog = true  # the writer starts first: files may rotate before the first daemon is up

[[source]]
path = "{base / "logs"}/app?.log"
""",
        encoding="utf-8",
    )
    return path


def start_daemon(cfg: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as err:
        return subprocess.Popen(
            [str(LOGCHAIN), "--log-level", "info", "watch", "--config", str(cfg)],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def opens(daemon_log: Path) -> int:
    """How many writer sessions the daemons have opened so far."""
    return (
        daemon_log.read_text(errors="replace").count('"writer_opened"')
        if daemon_log.exists()
        else 0
    )


def first_difference(actual: bytes, expected: bytes) -> str:
    i = next(
        (k for k, (a, b) in enumerate(zip(actual, expected, strict=False)) if a != b),
        min(len(actual), len(expected)),
    )
    return (
        f"{len(actual)} bytes stored, {len(expected)} written; first difference at byte {i}: "
        f"stored {actual[max(0, i - 80) : i + 80]!r} written {expected[max(0, i - 80) : i + 80]!r}"
    )


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(
    store: Store, tmp_path: Path
) -> None:
    """Every line written appears exactly once, in order per source, and verify passes."""
    rng = random.Random(SEED)
    killed_open = 0
    cfg = config(tmp_path, store)
    daemon_log = tmp_path / "daemon.log"
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.ingest.crash_writer", str(tmp_path), str(SEED)], cwd=REPO
    )
    try:
        wait_for(lambda: (tmp_path / "logs").is_dir(), "the writer to start")
        for _ in range(KILLS):
            opened = opens(daemon_log)
            daemon = start_daemon(cfg, daemon_log)
            if rng.random() < EARLY:  # anywhere in start-up (imports, recovery, open seal)
                time.sleep(rng.uniform(0.1, 3.0))
            else:  # while it reads, parses and seals
                wait_for(lambda n=opened: opens(daemon_log) > n, "the daemon to open", 120)
                time.sleep(rng.uniform(0.05, 3.0))
            daemon.send_signal(signal.SIGKILL)
            daemon.wait()
            killed_open += opens(daemon_log) > opened
        (tmp_path / "stop").touch()
        assert writer.wait(timeout=60) == 0
    finally:
        if writer.poll() is None:
            writer.kill()
    daemon = start_daemon(cfg, daemon_log)
    time.sleep(6)
    daemon.send_signal(signal.SIGTERM)
    assert daemon.wait(timeout=120) == 0, daemon_log.read_text()[-3000:]
    oneshot = subprocess.run(
        [str(LOGCHAIN), "ingest", "--config", str(cfg)], capture_output=True, check=False
    )
    assert oneshot.returncode == 0, oneshot.stderr.decode()
    verify = subprocess.run(
        [str(LOGCHAIN), "verify", "--store", str(store.root)], capture_output=True, check=False
    )
    assert verify.returncode == 0, verify.stdout.decode() + verify.stderr.decode()

    rotations = (tmp_path / "writer-done").read_text().split("\n")
    assert all(int(r.split()[2]) >= 3 for r in rotations), rotations
    for name in sorted(os.listdir(tmp_path / "expected")):
        expected = (tmp_path / "expected" / name).read_bytes()
        actual = rebuild(source_records(store, str(tmp_path / "logs" / name)))
        assert actual == expected, f"{name}: {first_difference(actual, expected)}"
    assert events(store, "gap_detected") == []
    kinds = [row.kind for row in verified_catalog(store, store_verifier(store)).seals]
    unclean = sum(
        1
        for prev, kind in itertools.pairwise(kinds)
        if kind == "open" and prev not in ("close", "genesis")
    )
    assert unclean >= killed_open >= KILLS // 2  # each of those kills left an unclosed chain
