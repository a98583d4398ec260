"""PNG plots of a run (matplotlib figures rendered by Agg: no display, no pyplot state).

Each function draws one figure from :class:`Results` and returns the file name it wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from logchain.cli.bench import analysis
from logchain.cli.bench.results import Results

PIPELINE = (
    "read",
    "parse",
    "envelope",
    "hash_merkle",
    "segment_write",
    "seal",
    "e2e_ingest",
    "verify",
    "detect",
)
REFERENCES = ("read_ceiling", "hash_ceiling", "storage_ceiling", "query_ceiling")
RATES = (100.0, 300.0, 1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6)


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


def throughput(res: Results, size: int, out: Path) -> str:
    rows: list[tuple[str, float, str]] = []
    for name in PIPELINE:
        for k in res.worker_counts():
            m = res.find("stage", name, size, k)
            v = m.median("records_per_s") if m else None
            if v:
                rows.append((f"{analysis.STAGE_LABELS[name]} [{k}w]", v, "C0" if k == 1 else "C1"))
    for name in REFERENCES:
        m = res.find("reference", name, size, 1)
        v = m.median("records_per_s") if m else None
        if v:
            rows.append((analysis.REFERENCE_LABELS[name], v, "C7"))
    for name in ("rsyslog", "journal_fss", "journal_fss_verify"):
        m = res.find("peer", name, size, 1)
        v = m.median("records_per_s") if m else None
        if v:
            rows.append((analysis.PEER_LABELS[name], v, "C3"))
    fig, ax = _figure(10, 0.32 * len(rows) + 1.5)
    ax.barh(
        [r[0] for r in rows][::-1], [r[1] for r in rows][::-1], color=[r[2] for r in rows][::-1]
    )
    ax.set_xscale("log")
    ax.set_xlabel("records/s (median; log scale)")
    ax.set_title(
        f"Throughput per stage at {size:,} records\n"
        "(blue 1 worker, orange 2 workers, grey ceilings, red peers)"
    )
    return _save(fig, out, "throughput_per_stage.png")


def scaling(res: Results, out: Path) -> str:
    fig = Figure(figsize=(13, 5))
    a1, a2 = fig.subplots(1, 2)
    for name in PIPELINE:
        xs, ys, cs = [], [], []
        for size in res.sizes():
            m = res.find("stage", name, size, 1)
            if m and m.median("records_per_s") and m.median("cpu_s_per_m"):
                xs.append(size)
                ys.append(m.median("records_per_s"))
                cs.append(m.median("cpu_s_per_m"))
        if xs:
            a1.plot(xs, ys, marker="o", label=name)
            a2.plot(xs, cs, marker="o", label=name)
    for ax, label in ((a1, "records/s (1 worker)"), (a2, "CPU s per million records")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("records in the workload")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
    a1.set_title("Throughput vs volume")
    a2.set_title("Cost per record vs volume (flat = linear)")
    a2.legend(fontsize=8)
    return _save(fig, out, "scaling_volume.png")


def workers(res: Results, size: int, out: Path) -> str:
    fig, ax = _figure(8, 5)
    ks = res.worker_counts()
    for name in ("read", "parse", "envelope", "segment_write", "e2e_ingest", "verify"):
        ys = []
        for k in ks:
            m = res.find("stage", name, size, k)
            ys.append((m.median("records_per_s") or 0.0) if m else 0.0)
        if any(ys):
            ax.plot(ks, ys, marker="o", label=name)
    ax.set_xticks(ks)
    ax.set_xlabel("worker processes")
    ax.set_ylabel("records/s (median)")
    ax.set_yscale("log")
    ax.set_title(f"Scaling with cores at {size:,} records")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, out, "scaling_workers.png")


def _series(
    res: Results, size: int, f: Callable[..., float | None], rate: float
) -> dict[str, float]:
    out: dict[str, float] = {}
    for kind, name, label in (
        ("stage", "e2e_ingest", "logchain ingest+seal"),
        ("stage", "verify", "logchain verify"),
        ("reference", "storage_ceiling", "storage ceiling"),
        ("peer", "rsyslog", "rsyslog"),
        ("peer", "journal_fss", "journal-remote FSS"),
        ("peer", "journal_fss_verify", "journalctl --verify"),
    ):
        m = res.find(kind, name, size, 1)
        v = f(m, rate) if m else None
        if v is not None:
            out[label] = v
    return out


def storage_per_day(res: Results, size: int, out: Path) -> str:
    fig, ax = _figure(8, 5)
    labels = _series(res, size, analysis.bytes_per_day, 1.0)
    for label in labels:
        if "verify" in label:
            continue
        ax.plot(RATES, [labels[label] * r / 1e9 for r in RATES], marker=".", label=label)
    raw = analysis.raw_bytes_per_record(res, size)
    ax.plot(RATES, [raw * r * analysis.DAY_S / 1e9 for r in RATES], "k--", label="raw log text")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("events per second")
    ax.set_ylabel("GB per day")
    ax.set_title("Storage per day")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, out, "storage_per_day.png")


def cores(res: Results, size: int, out: Path) -> str:
    fig, ax = _figure(8, 5)
    per_one = _series(res, size, analysis.cores_needed, 1.0)
    for label, c in per_one.items():
        ax.plot(RATES, [c * r for r in RATES], marker=".", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("events per second")
    ax.set_ylabel("CPU cores kept busy")
    ax.set_title("Cores needed for N events/s (CPU s per record x rate)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, out, "cores_needed.png")


def verify_per_tb(res: Results, size: int, out: Path) -> str:
    rows: list[tuple[str, float]] = []
    for kind, name, label in (
        ("stage", "verify", "logchain verify"),
        ("reference", "hash_ceiling", "hash ceiling"),
        ("peer", "journal_fss_verify", "journalctl --verify"),
    ):
        for k in res.worker_counts() if kind == "stage" else [1]:
            m = res.find(kind, name, size, k)
            h = analysis.hours_per_tb(m) if m else None
            if h is not None:
                rows.append((f"{label} [{k}w]" if kind == "stage" else label, h))
    fig, ax = _figure(8, 0.5 * len(rows) + 1.5)
    ax.barh([r[0] for r in rows][::-1], [r[1] for r in rows][::-1], color="C2")
    ax.set_xlabel("hours per TB of raw log text")
    ax.set_title("Verify time per TB")
    return _save(fig, out, "verify_per_tb.png")


def query_latency(res: Results, out: Path) -> str:
    fig, ax = _figure(9, 5)
    ours = analysis.query_series(res, plain=False)
    plain = analysis.query_series(res, plain=True)
    sizes = res.sizes()
    det = [(s, m.median("wall_s")) for s in sizes if (m := res.find("stage", "detect", s, 1))]
    if det:
        ax.plot(
            [d[0] for d in det],
            [(d[1] or 0.0) * 1e3 for d in det],
            "-ok",
            label="logchain detect (whole command)",
        )
    top = max(sizes) if sizes else 0
    rules = [n for n in plain if n != "rule pack (sum)" and not n.startswith("probe:")]
    slow = sorted(rules, key=lambda n: plain[n].get(top, 0.0), reverse=True)[:3]
    for i, name in enumerate(
        ["rule pack (sum)", *slow, *(n for n in plain if n.startswith("probe:"))]
    ):
        color = f"C{i % 10}"
        xs = sorted(plain[name])
        ax.plot(xs, [plain[name][x] * 1e3 for x in xs], ":x", color=color, label=f"{name} (DuckDB)")
        if name in ours:
            xo = sorted(ours[name])
            ax.plot(
                xo, [ours[name][x] * 1e3 for x in xo], "-o", color=color, label=f"{name} (verified)"
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("records in the store")
    ax.set_ylabel("ms (median over repeats)")
    ax.set_title("Query latency vs store size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    return _save(fig, out, "query_latency.png")


def _med(xs: tuple[float, ...]) -> float:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def _save(fig: Figure, out: Path, name: str) -> str:
    out.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out / name, dpi=110)
    return name


def draw_all(res: Results, size: int, out: Path) -> list[str]:
    """Every plot; returns the file names (relative to ``out``)."""
    return [
        throughput(res, size, out),
        scaling(res, out),
        workers(res, size, out),
        storage_per_day(res, size, out),
        cores(res, size, out),
        verify_per_tb(res, size, out),
        query_latency(res, out),
    ]
