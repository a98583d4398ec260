"""``logchain bench``: measure the whole pipeline on a seeded workload and write a report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from logchain.cli._common import err_console
from logchain.cli.bench import compare as cmp
from logchain.cli.bench import report, results, workload
from logchain.cli.bench.analysis import headline_ratios
from logchain.cli.bench.runner import BenchConfig, run_bench
from logchain.errors import UsageError

_SUFFIX = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}


def parse_count(text: str) -> int:
    """``1e6``, ``1000000``, ``1M``, ``250k`` -> an int; raises UsageError otherwise."""
    t = text.strip().lower().replace("_", "").replace(",", "")
    try:
        value = float(t[:-1]) * _SUFFIX[t[-1]] if t and t[-1] in _SUFFIX else float(t)
    except ValueError:
        raise UsageError(
            f"{text!r} is not a count", hint="Write counts as 1000000, 1e6, 1M or 250k."
        ) from None
    if value < 1 or value != int(value):
        raise UsageError(f"{text!r} is not a positive whole count", hint="Use e.g. 1e6.")
    return int(value)


def _sizes(given: tuple[str, ...], headline: int) -> tuple[int, ...]:
    if given:
        sizes = {parse_count(s) for g in given for s in g.split(",") if s.strip()}
        sizes.add(headline)
    else:
        sizes = {s for s in (headline // 100, headline // 10, headline) if s >= 1000} | {headline}
    return tuple(sorted(sizes))


@click.command("bench")
@click.option(
    "--records", default="1e6", show_default=True, help="Headline workload size in records."
)
@click.option(
    "--bytes",
    "size_bytes",
    default=None,
    help="Headline size in bytes of log text instead (e.g. 2e9).",
)
@click.option(
    "--sizes",
    multiple=True,
    help="Sizes for the scaling curves, comma-separated or repeated "
    "(default: records/100, records/10, records).",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Measure with 1..K worker processes.",
)
@click.option(
    "--repeat",
    default=3,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Runs per measurement (medians are reported).",
)
@click.option(
    "--out",
    "out_dir",
    default=Path("out/bench"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where results.json, report.md and plots/ go.",
)
@click.option("--seed", default=42, show_default=True, help="Seed of the workload generator.")
@click.option(
    "--event-rate",
    default=10_000.0,
    show_default=True,
    type=click.FloatRange(min=1),
    help="Events/s for the storage-per-day and cores-needed figures.",
)
@click.option(
    "--segment-records",
    default="1e6",
    show_default=True,
    help="Records per segment (as `logchain ingest --max-records`).",
)
@click.option("--no-peers", is_flag=True, help="Skip rsyslog and systemd-journal-remote.")
@click.option("--keep", is_flag=True, help="Keep the generated logs and stores under OUT/work.")
@click.option(
    "--compare",
    "compare_files",
    nargs=2,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Compare two results.json (OLD NEW); exit 1 on a regression beyond noise.",
)
@click.option(
    "--render",
    "render_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Only redraw report.md and plots/ in --out from this results.json (no measuring).",
)
@click.option(
    "--noise-floor",
    default=cmp.DEFAULT_FLOOR,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Least noise band for --compare (a fraction).",
)
@click.pass_context
def bench_cmd(ctx: click.Context, /, **opts: Any) -> None:
    """Benchmark read -> parse -> hash -> Parquet -> seal -> verify -> detect, with peers.

    Writes OUT/results.json (schema in docs/CAPACITY.md), OUT/report.md and OUT/plots/*.png.
    """
    if opts["compare_files"]:
        _compare(ctx, *opts["compare_files"], floor=opts["noise_floor"])
        return
    if opts["render_file"]:
        res = results.load(opts["render_file"])
        out = opts["out_dir"]
        out.mkdir(parents=True, exist_ok=True)
        write_outputs(res, out, int(res.config["headline_size"]))
        return
    seed = int(opts["seed"])
    headline = (
        workload.records_for_bytes(parse_count(opts["size_bytes"]), seed)
        if opts["size_bytes"]
        else parse_count(opts["records"])
    )
    cfg = BenchConfig(
        out=opts["out_dir"],
        sizes=_sizes(opts["sizes"], headline),
        headline=headline,
        workers=tuple(range(1, int(opts["workers"]) + 1)),
        repeat=int(opts["repeat"]),
        seed=seed,
        peers=not opts["no_peers"],
        segment_records=parse_count(opts["segment_records"]),
        event_rate=float(opts["event_rate"]),
        keep=bool(opts["keep"]),
    )

    def progress(msg: str) -> None:
        err_console.print(f"[bench] {msg}", markup=False)

    args = sys.argv[1:]
    args = args[args.index("bench") + 1 :] if "bench" in args else args  # python -m benchmarks
    res = run_bench(cfg, progress, ["logchain", "bench", *args])
    write_outputs(res, cfg.out, cfg.headline)


def write_outputs(res: results.Results, out: Path, headline: int) -> None:
    """results.json, plots and report.md under ``out``; prints the headline ratios."""
    res.write(out / "results.json")
    try:
        from logchain.cli.bench import plots
    except ImportError as exc:
        raise UsageError(
            f"the plots need matplotlib ({exc}); results.json was written",
            hint="Install the bench extra: pip install 'logchain[bench]'.",
        ) from exc
    names = plots.draw_all(res, headline, out / "plots")
    (out / "report.md").write_text(report.render(res, headline, names))
    click.echo(f"wrote {out / 'report.md'}, {out / 'results.json'} and {len(names)} plots")
    for r in headline_ratios(res, headline):
        click.echo(f"  {r.title}: {r.value:.3g} (noise ±{r.noise:.0%})")
    for p in res.peers.values():
        if not p.available:
            click.echo(f"  peer {p.name} not measured: {p.reason}")


def _compare(ctx: click.Context, old: Path, new: Path, *, floor: float) -> None:
    changes = cmp.compare(results.load(old), results.load(new), floor=floor)
    for line in cmp.render(changes):
        click.echo(line)
    if not changes:
        raise UsageError(
            f"{old} and {new} have no measurement in common",
            hint="Compare runs made with the same sizes and worker counts.",
        )
    if any(c.gates for c in changes):
        click.echo("regression beyond noise: failing", err=True)
        ctx.exit(1)
