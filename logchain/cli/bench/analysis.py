"""Figures derived from the measurements: headline ratios, capacity, linearity.

Ratios are always *logchain / reference* on throughput (records/s), so 0.25 means logchain runs at
a quarter of the reference's speed; cost ratios (CPU s per million records, bytes on disk) are
*logchain / reference* on cost, so 2.0 means twice the cost.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from logchain.cli.bench.results import Measurement, Results

#: Stages in pipeline order, with what each one is (for tables and plots).
STAGE_LABELS: dict[str, str] = {
    "read": "read (exact lines)",
    "parse": "parse",
    "envelope": "envelope (Arrow table)",
    "hash_merkle": "leaf hashes + Merkle",
    "segment_write": "segment write (hash + Parquet + SHA-256)",
    "seal": "seal (ECDSA + local RFC 3161 TSA)",
    "e2e_ingest": "end-to-end ingest+seal",
    "verify": "verify",
    "detect": "detect (verified catalog + queries)",
}
REFERENCE_LABELS: dict[str, str] = {
    "read_ceiling": "read ceiling (raw file read)",
    "hash_ceiling": "hash ceiling (hashlib, one buffer)",
    "storage_ceiling": "storage ceiling (pq.write_table, no hashing)",
    "query_ceiling": "query ceiling (plain DuckDB)",
}
PEER_LABELS: dict[str, str] = {
    "rsyslog": "rsyslog imfile->omfile (no integrity)",
    "journal_fss": "systemd-journal-remote --seal=yes",
    "journal_fss_verify": "journalctl --verify (FSS key)",
}
TB = 1e12
DAY_S = 86_400


@dataclass(frozen=True, slots=True)
class Ratio:
    """A headline ratio: what over what, the value, and the noise of both sides."""

    title: str
    value: float
    ours: str
    reference: str
    metric: str
    noise: float


def _m(res: Results, kind: str, name: str, size: int, k: int = 1) -> Measurement | None:
    return res.find(kind, name, size, k)


def ratio(
    res: Results, title: str, ours: tuple[str, str], ref: tuple[str, str], metric: str, size: int
) -> Ratio | None:
    """``ours`` / ``ref`` on ``metric`` at ``size`` with one worker (None if either is absent)."""
    a, b = _m(res, *ours, size), _m(res, *ref, size)
    if a is None or b is None:
        return None
    va, vb = a.median(metric), b.median(metric)
    if va is None or vb is None or vb == 0:
        return None
    noise = max(a.spread(metric), b.spread(metric))
    return Ratio(title, va / vb, a.key, b.key, metric, noise)


_RPS = "records_per_s"
#: (title, ours, reference, metric) of every headline ratio, in report order.
HEADLINES: tuple[tuple[str, tuple[str, str], tuple[str, str], str], ...] = (
    (
        "end-to-end ingest+seal vs storage ceiling",
        ("stage", "e2e_ingest"),
        ("reference", "storage_ceiling"),
        _RPS,
    ),
    (
        "verify vs hash ceiling (raw MB/s)",
        ("stage", "verify"),
        ("reference", "hash_ceiling"),
        "mb_per_s",
    ),
    (
        "detect vs plain DuckDB (same SQL, same Parquet)",
        ("stage", "detect"),
        ("reference", "query_ceiling"),
        _RPS,
    ),
    ("end-to-end ingest+seal vs rsyslog", ("stage", "e2e_ingest"), ("peer", "rsyslog"), _RPS),
    (
        "end-to-end ingest+seal vs journal-remote FSS",
        ("stage", "e2e_ingest"),
        ("peer", "journal_fss"),
        _RPS,
    ),
    ("verify vs journalctl --verify", ("stage", "verify"), ("peer", "journal_fss_verify"), _RPS),
    (
        "ingest CPU per record vs rsyslog (cost)",
        ("stage", "e2e_ingest"),
        ("peer", "rsyslog"),
        "cpu_s_per_m",
    ),
    (
        "ingest CPU per record vs journal FSS (cost)",
        ("stage", "e2e_ingest"),
        ("peer", "journal_fss"),
        "cpu_s_per_m",
    ),
    (
        "bytes on disk vs journal FSS (cost)",
        ("stage", "e2e_ingest"),
        ("peer", "journal_fss"),
        "disk_bytes_per_m",
    ),
    (
        "bytes on disk vs storage ceiling (cost)",
        ("stage", "e2e_ingest"),
        ("reference", "storage_ceiling"),
        "disk_bytes_per_m",
    ),
)


def headline_ratios(res: Results, size: int) -> list[Ratio]:
    """The ratios the issue asks for, at the headline size (absent ones are left out)."""
    out = [ratio(res, t, a, b, m, size) for t, a, b, m in HEADLINES]
    return [r for r in out if r is not None]


def cores_needed(m: Measurement, events_per_s: float) -> float | None:
    """CPU cores kept busy at ``events_per_s`` (CPU seconds per record x rate)."""
    cpu = m.median("cpu_s_per_m")
    return events_per_s * cpu / 1e6 if cpu is not None else None


def bytes_per_day(m: Measurement, events_per_s: float) -> float | None:
    per_m = m.median("disk_bytes_per_m")
    return events_per_s * DAY_S * per_m / 1e6 if per_m is not None else None


def raw_bytes_per_record(res: Results, size: int) -> float:
    wl = res.workloads.get(size, {})
    recs, size_b = int(wl.get("records", 0)), int(wl.get("bytes", 0))
    return size_b / recs if recs else 0.0


def hours_per_tb(m: Measurement) -> float | None:
    """Hours to process one TB of raw log text at the measured MB/s."""
    mbs = m.median("mb_per_s")
    return TB / (mbs * 1e6) / 3600 if mbs else None


@dataclass(frozen=True, slots=True)
class Linearity:
    """CPU seconds per million records across sizes, and whether it stays flat."""

    name: str
    per_size: dict[int, float]
    change: float  # relative change of cost from the second-largest to the largest size
    linear: bool


def linearity(res: Results, kind: str, name: str, tolerance: float = 0.15) -> Linearity | None:
    """Cost per record should not grow with volume: compare the two largest sizes."""
    per: dict[int, float] = {}
    noise = 0.0
    for size in res.sizes():
        m = _m(res, kind, name, size)
        v = m.median("cpu_s_per_m") if m else None
        if m is not None and v is not None:
            per[size] = v
            noise = max(noise, m.spread("cpu_s_per_m"))
    if len(per) < 2:
        return None
    sizes = sorted(per)
    a, b = per[sizes[-2]], per[sizes[-1]]
    change = (b - a) / a if a else 0.0
    return Linearity(name, per, change, change <= max(tolerance, noise))


def worker_speedup(res: Results, kind: str, name: str, size: int) -> float | None:
    """records/s with the most workers over records/s with one."""
    ks = res.worker_counts()
    one, most = _m(res, kind, name, size, 1), _m(res, kind, name, size, max(ks))
    if one is None or most is None or max(ks) == 1:
        return None
    a, b = one.median("records_per_s"), most.median("records_per_s")
    return b / a if a and b else None


def query_series(res: Results, *, plain: bool) -> dict[str, dict[int, float]]:
    """Median latency (s) per query name and store size; ``rule pack`` is the sum of the rules."""
    out: dict[str, dict[int, float]] = {}
    for q in res.queries:
        runs = q.plain_s if plain else q.logchain_s
        if not runs:
            continue
        v = statistics.median(runs)
        out.setdefault(q.name, {})[q.size] = v
        if not q.name.startswith("probe:"):
            total = out.setdefault("rule pack (sum)", {})
            total[q.size] = total.get(q.size, 0.0) + v
    return out
