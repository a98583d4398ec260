"""``report.md``: the run as tables a capacity planner can read, with the plots beside it."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence

from logchain.cli.bench import analysis
from logchain.cli.bench.results import Measurement, Results

COLUMNS = (
    "what",
    "workers",
    "records/s",
    "MB/s raw",
    "CPU s / M rec",
    "peak RSS MB",
    "disk B / rec",
    "disk / raw",
    "spread",
)


def _f(v: float | None, digits: int = 3) -> str:
    if v is None:
        return "n/a"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}g}"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return [*out, ""]


def _row(label: str, m: Measurement) -> list[str]:
    rss = m.median("peak_rss")
    per_m = m.median("disk_bytes_per_m")
    return [
        label,
        str(m.workers),
        _f(m.median("records_per_s")),
        _f(m.median("mb_per_s")),
        _f(m.median("cpu_s_per_m")),
        _f(rss / 1e6 if rss else None),
        _f(per_m / 1e6 if per_m else None),
        _f(m.median("compression_ratio")),
        f"{m.spread('records_per_s'):.0%} ({len(m.runs)} runs)",
    ]


def _header(res: Results) -> list[str]:
    mc, v, g = res.machine, res.versions, res.git
    loads = [x["busy_cores"] for x in res.load if "busy_cores" in x]
    avgs = [x["loadavg_1m"] for x in res.load if x.get("loadavg_1m", -1) >= 0]
    dirty = " (with uncommitted changes)" if g.get("dirty") else ""
    disk = mc.get("disk", {})
    return [
        "# logchain capacity report",
        "",
        f"Run {res.created}, {res.duration_s / 60:.1f} min, "
        f"commit `{g.get('commit', '?')[:12]}`{dirty}; "
        f"command `{' '.join(res.command)}`.",
        "",
        f"Machine: {mc.get('cpu_model')} x {mc.get('cores')} cores (SHA-NI: {mc.get('sha_ni')}, "
        f"VM: {mc.get('hypervisor')}), {(mc.get('ram_bytes') or 0) / 2**30:.0f} GiB RAM, disk "
        f"{disk.get('device')} ({disk.get('fstype')}, rotational: {disk.get('rotational')}), "
        f"kernel {mc.get('kernel')}.",
        "",
        f"Versions: Python {v.get('python')}, pyarrow {v.get('pyarrow')}, "
        f"DuckDB {v.get('duckdb')}, {v.get('openssl')}, logchain {v.get('logchain')} "
        f"(hash back end: {v.get('hash_backend')}), "
        f"{v.get('rsyslog') or 'rsyslog absent'}, {v.get('systemd') or 'systemd absent'}.",
        "",
        f"Noise: every figure is the median of {res.config.get('repeat')} runs; *spread* is "
        "(max - min) / median of records/s over the runs. During the runs the machine had "
        f"{_f(statistics.median(loads) if loads else None)} cores busy on average (every "
        "process, ours included) and a 1-minute load average of "
        f"{_f(min(avgs) if avgs else None)} to {_f(max(avgs) if avgs else None)}: a load "
        f"above {res.machine.get('cores')} means other work was competing for the cores, and "
        "throughput figures then drift while CPU seconds per record hold better. "
        f"Peak RSS per stage: {res.rss_method}.",
        "",
    ]


def _headline(res: Results, size: int) -> list[str]:
    rows = [
        [
            r.title,
            f"**{r.value:.3g}**",
            f"`{r.ours}` / `{r.reference}`",
            r.metric,
            f"±{r.noise:.0%}",
        ]
        for r in analysis.headline_ratios(res, size)
    ]
    return [
        f"## Headline ratios ({size:,} records, 1 worker)",
        "",
        "Throughput ratios are logchain ÷ reference (below 1: logchain is slower); rows marked "
        "*(cost)* divide costs (above 1: logchain costs more).",
        "",
        *_table(("ratio", "value", "of", "metric", "noise"), rows),
    ]


def _stages(res: Results, size: int) -> list[str]:
    rows: list[list[str]] = []
    for name, label in analysis.STAGE_LABELS.items():
        for k in res.worker_counts():
            m = res.find("stage", name, size, k)
            if m:
                rows.append(_row(label, m))
    refs = [
        _row(label, m)
        for name, label in analysis.REFERENCE_LABELS.items()
        if (m := res.find("reference", name, size, 1))
    ]
    peers = [
        _row(label, m)
        for name, label in analysis.PEER_LABELS.items()
        if (m := res.find("peer", name, size, 1))
    ]
    notes = [
        f"- `{m.name}`: {m.note}"
        for m in res.measurements
        if m.size == size and m.note and m.workers == 1
    ]
    return [
        f"## Stages at {size:,} records",
        "",
        "`segment_write` is the real `write_segment` call, so it includes the leaf hashes and "
        "Merkle tree again; `seal` is charged once per seal the ingest wrote. With 2 workers, "
        "records/s is the total of both processes and peak RSS their sum.",
        "",
        *_table(COLUMNS, rows),
        "### References and peers (same input)",
        "",
        *_table(COLUMNS, refs + peers),
        *notes,
        "",
    ]


def _peer_status(res: Results) -> list[str]:
    out = ["## Peers", ""]
    for p in res.peers.values():
        if p.available:
            out.append(f"- **{p.name}** ({p.version}): measured. {p.detail}")
        else:
            out.append(f"- **{p.name}**: **not measured**: {p.reason}")
    return [*out, ""]


def _scaling(res: Results) -> list[str]:
    sizes = res.sizes()
    rows = []
    for name in analysis.STAGE_LABELS:
        lin = analysis.linearity(res, "stage", name)
        if lin is None:
            continue
        cells = [_f(lin.per_size.get(s)) for s in sizes]
        verdict = "linear" if lin.linear else f"**not linear** ({lin.change:+.0%})"
        rows.append([name, *cells, verdict])
    head = ("stage (CPU s per M records)", *(f"{s:,}" for s in sizes), "largest two sizes")
    speed = []
    for name in ("read", "parse", "envelope", "segment_write", "e2e_ingest", "verify"):
        sp = analysis.worker_speedup(res, "stage", name, max(sizes))
        if sp is not None:
            speed.append([name, f"{sp:.2f}x"])
    return [
        "## Scaling",
        "",
        "Cost per record at each size (flat means linear in records; small sizes carry fixed "
        "costs such as the open/close seals and process start, so they cost more per record):",
        "",
        *_table(head, rows),
        f"Speed-up from 1 to {max(res.worker_counts())} worker processes "
        f"at {max(sizes):,} records:",
        "",
        *_table(("stage", "speed-up"), speed),
    ]


def _capacity(res: Results, size: int) -> list[str]:
    rate = float(res.config.get("event_rate", 10_000))
    rows = []
    for kind, name, label in (
        ("stage", "e2e_ingest", "logchain ingest+seal"),
        ("stage", "verify", "logchain verify"),
        ("reference", "storage_ceiling", "storage ceiling"),
        ("peer", "rsyslog", "rsyslog"),
        ("peer", "journal_fss", "journal-remote FSS"),
        ("peer", "journal_fss_verify", "journalctl --verify"),
    ):
        m = res.find(kind, name, size, 1)
        if m is None:
            continue
        gb = analysis.bytes_per_day(m, rate)
        rows.append(
            [
                label,
                _f(analysis.cores_needed(m, rate)),
                _f(gb / 1e9 if gb and "verify" not in name else None),
                _f(analysis.hours_per_tb(m)),
            ]
        )
    raw = analysis.raw_bytes_per_record(res, size)
    return [
        f"## Capacity at {rate:,.0f} events/s ({raw:.0f} bytes per raw line on average)",
        "",
        f"Raw log text at that rate: {raw * rate * analysis.DAY_S / 1e9:.1f} GB/day. Cores are "
        "CPU seconds per record x rate (add headroom: this assumes perfect use of each core).",
        "",
        *_table(("what", "cores busy", "GB/day on disk", "hours per TB raw"), rows),
    ]


def _queries(res: Results, size: int) -> list[str]:
    ours = analysis.query_series(res, plain=False)
    plain = analysis.query_series(res, plain=True)
    rows_at = {q.name: q.rows for q in res.queries if q.size == size}
    names = sorted(plain, key=lambda n: -plain[n].get(size, 0.0))
    at_size = [
        [
            name,
            _f(plain[name][size] * 1e3),
            _f(ours[name][size] * 1e3 if size in ours.get(name, {}) else None),
            str(rows_at.get(name, "")),
        ]
        for name in names
        if size in plain[name]
    ]
    total = plain.get("rule pack (sum)", {})
    by_size = []
    for s in sorted(total):
        m = res.find("stage", "detect", s, 1)
        wall = m.median("wall_s") if m else None
        by_size.append([f"{s:,}", _f(total[s] * 1e3), _f(wall * 1e3 if wall else None)])
    return [
        f"## Query latency ({size:,} records, median over repeats)",
        "",
        "DuckDB ms = the rule's bare SQL (first run) or the probe (warm) on DuckDB over the same "
        "files and views, unverified; verified ms = the probe on the verified, locked connection. "
        "Slowest first: these are where the rule pack spends its time.",
        "",
        *_table(("query", "DuckDB ms", "verified ms", "rows"), at_size),
        "Rule pack by store size: the rules' SQL alone vs the whole `logchain detect` command:",
        "",
        *_table(("records", "rule SQL (sum) ms", "logchain detect ms"), by_size),
    ]


def _parsers(res: Results, size: int) -> list[str]:
    rows = [
        _row(m.name, m)
        for m in sorted(res.measurements, key=lambda m: m.median("cpu_s_per_m") or 0, reverse=True)
        if m.kind == "parser" and m.size == size and m.workers == 1
    ]
    if not rows:
        return []
    return [
        f"### Parse cost per format ({size:,} records, 1 worker)",
        "",
        "The parse stage split by the parser `detect_format` chose for each file (MB/s of that "
        "format's raw text).",
        "",
        *_table(COLUMNS, rows),
    ]


def render(res: Results, size: int, plots: Sequence[str]) -> str:
    """The whole report as Markdown (plots are referenced by file name)."""
    parts = [
        *_header(res),
        *_headline(res, size),
        *_stages(res, size),
        *_parsers(res, size),
        *_peer_status(res),
        *_scaling(res),
        *_capacity(res, size),
        *_queries(res, size),
        "## Plots",
        "",
        *[f"![{p}](plots/{p})" for p in plots],
        "",
    ]
    return "\n".join(parts)
