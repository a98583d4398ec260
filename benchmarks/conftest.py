"""Seeded data for the benchmarks (sized for 2 cores / 24 GiB).

Records look like the perf-baselines corpus: ~300-byte lines, 60% RFC 5424 syslog (sshd, sudo,
file audit) and 40% JSON EDR events, with the derived columns a parser would fill. Sizes are
parametrized 1e3 and 1e5 for CI; set ``LOGCHAIN_BENCH_RECORDS`` (e.g. ``1000000``) to add a
bigger size for your own measurements.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from logchain.cli.init import init_store
from logchain.segment import RecordBatch, build_table
from logchain.store import Store

SIZES = [1_000, 100_000]
if os.environ.get("LOGCHAIN_BENCH_RECORDS"):
    SIZES.append(int(os.environ["LOGCHAIN_BENCH_RECORDS"]))

#: Every benchmark's records carry this ingest time (2026-11-25T10:00:00Z).
INGEST_NS = 1_795_600_800_000_000_000

_USERS = [
    f"{n}.{c}{i:03d}" for n in ("alice", "bob", "carol", "ivan") for c in "ae" for i in range(50)
]
_ACTIONS = ["file_read", "file_write", "ssh_login", "net_connect", "upload", "sudo"]
_HOSTS = [f"db-{i:03d}.sfo1.corp.example.com" for i in range(40)]


def _syslog(rng: random.Random, t: datetime, host: str, user: str, pid: int) -> bytes:
    ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    msg = (
        f"<86>1 {t.strftime('%Y-%m-%dT%H:%M:%S.%fZ')} {host} sshd {pid} - "
        f'[origin ip="{ip}" software="OpenSSH" swVersion="9.2p1"] '
        f"Accepted publickey for {user} from {ip} port {rng.randrange(1024, 65535)} ssh2: "
        f"ECDSA SHA256:{rng.getrandbits(160):040x}"
    )
    return msg.encode()


def _json(rng: random.Random, t: datetime, host: str, user: str, pid: int, action: str) -> bytes:
    return (
        f'{{"ts":"{t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}","host":"{host}","user":"{user}",'
        f'"action":"{action}","resource":"/home/shared/projects/{user}-{rng.randrange(9999)}.csv",'
        f'"outcome":"success","bytes_out":{rng.randrange(100000)},'
        f'"dst_ip":"{rng.randrange(1, 223)}.44.23.{rng.randrange(1, 255)}",'
        f'"session":"{rng.getrandbits(64):016x}","pid":{pid},"agent":"edr-agent/3.2.1"}}'
    ).encode()


def make_batch(n: int, seed: int = 42) -> RecordBatch:
    """``n`` seeded records of ~300 bytes with derived columns filled, as a parser would."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 18, tzinfo=UTC)
    raw: list[bytes] = []
    times: list[datetime] = []
    hosts: list[str] = []
    users: list[str] = []
    pids: list[int] = []
    actions: list[str] = []
    apps: list[str] = []
    for i in range(n):
        t = start + timedelta(microseconds=i * 600_000 + rng.randrange(1000))
        host, user, pid = rng.choice(_HOSTS), rng.choice(_USERS), rng.randrange(100, 4_000_000)
        if i % 5 < 3:
            raw.append(_syslog(rng, t, host, user, pid))
            actions.append("ssh_login")
            apps.append("sshd")
        else:
            action = rng.choice(_ACTIONS)
            raw.append(_json(rng, t, host, user, pid, action))
            actions.append(action)
            apps.append("edr")
        times.append(t)
        hosts.append(host)
        users.append(user)
        pids.append(pid)
    offsets = [0] * n
    pos = 0
    for i, line in enumerate(raw):
        offsets[i] = pos
        pos += len(line) + 1
    return RecordBatch(
        source=["/var/log/audit/mixed.log"] * n,
        source_file_id=[424242] * n,
        source_offset=offsets,
        raw=raw,
        flags=[0] * n,
        derived={
            "event_time": pa.array(times, pa.timestamp("us", tz="UTC")),
            "host": hosts,
            "app": apps,
            "pid": pids,
            "severity": ["info"] * n,
            "user": users,
            "action": actions,
            "outcome": ["success"] * n,
            "message": [r.decode() for r in raw],
            "parser": ["bench"] * n,
            "parser_version": ["1"] * n,
        },
    )


_TABLES: dict[int, pa.Table] = {}


def records_table(n: int) -> pa.Table:
    """The segment table of :func:`make_batch` (built once per size per session)."""
    if n not in _TABLES:
        _TABLES[n] = build_table(make_batch(n), first_index=0, ingest_time_ns=INGEST_NS)
    return _TABLES[n]


@pytest.fixture(scope="session")
def bench_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store made by `logchain init` (real key, real local TSA), copied per benchmark."""
    path = tmp_path_factory.mktemp("bench-template") / "store"
    init_store(path, seal_interval=3600)
    return path


@pytest.fixture
def fresh_store(tmp_path: Path, bench_store_template: Path) -> Callable[[], Store]:
    """Makes a new copy of the template store on each call (for setup outside timed calls)."""
    import shutil

    counter = iter(range(1_000_000))

    def make() -> Store:
        dest = tmp_path / f"store{next(counter)}"
        shutil.copytree(bench_store_template, dest)
        return Store(dest)

    return make


def record_reference(benchmark: Any, reference: Callable[[], object], *, rounds: int = 5) -> None:
    """Time ``reference`` in the same run (outside the timed call) and store it with the ratio.

    ``extra_info["reference_median_s"]`` is the reference's median; ``ratio_to_reference`` is
    the benchmark's median over it (absent with ``--benchmark-disable``, which times nothing).
    """
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        reference()
        times.append(time.perf_counter() - start)
    ref = statistics.median(times)
    benchmark.extra_info["reference_median_s"] = ref
    stats = getattr(benchmark, "stats", None)
    if stats is not None and ref > 0:
        benchmark.extra_info["ratio_to_reference"] = stats.stats.median / ref
