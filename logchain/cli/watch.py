"""`logchain watch --config FILE`: the ingest daemon (and the code path `logchain ingest` shares).

SIGTERM or SIGINT ends the loop after its current pass; the writer then seals what is pending and
writes its close seal, and the command exits 0. A person at a terminal sees a status line; a
service manager gets structlog events (JSON lines on stderr) instead.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import click
import structlog
from rich.live import Live
from rich.text import Text

from ingest.pipeline import FileProgress, Pipeline
from ingest.watch import StatusCallback, Watcher, WatchStatus
from logchain.cli._common import err_console, json_option, print_json
from logchain.cli.config import AppConfig, Overrides, apply_overrides, load_config
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import SystemClock
from logchain.errors import ConfigError
from logchain.writer import LogWriter

log = structlog.get_logger(__name__)

#: Seconds between `watch_status` events when stderr is not a terminal.
LOG_STATUS_EVERY = 60.0


@dataclass(frozen=True, slots=True)
class RunResult:
    """What a watch or ingest run did."""

    status: WatchStatus
    files: list[FileProgress]
    store: Path
    seals_written: int
    next_index: int

    def to_json(self) -> dict[str, object]:
        return {
            "store": str(self.store),
            "records": self.status.records,
            "bytes": self.status.bytes,
            "system_records": self.status.system_records,
            "events": dict(self.status.events),
            "files": [
                {
                    "path": f.path,
                    "records": f.records,
                    "from_offset": f.start_offset,
                    "to_offset": f.end_offset,
                }
                for f in self.files
            ],
            "seals_written": self.seals_written,
            "next_index": self.next_index,
        }


def run_ingest(
    config: AppConfig, command: str, *, follow: bool, on_status: StatusCallback | None
) -> RunResult:
    """Open the configured store's writer and run the shared ingest loop on its sources;
    returns once every file is read (one-shot) or a stop signal came (``follow``).

    Raises ConfigError (no store, wrong seal_interval), StoreLocked (another writer runs),
    SealingError/StorageError (a seal could not be made) and IngestError (a worker died).
    """
    store = config.require_store()
    config.check_store(store)
    interval = store.manifest().seal_interval_s
    writer = LogWriter(
        store,
        store_sealer(
            store,
            key_path=config.sealing.key,
            tsa_urls=config.sealing.tsa,
            local_tsa=config.sealing.local_tsa,
        ),
        store_verifier(store),
        SystemClock(),
        limits=config.segments.limits(interval),
        command=command,
    )
    with writer, Pipeline(writer, workers=config.watch.workers) as pipeline:
        watcher = Watcher(config.sources, pipeline, config.watch)
        with _stop_on_signals(watcher.stop):
            status = watcher.run(follow=follow, on_status=on_status)
    return RunResult(
        status,
        list(pipeline.counts.files.values()),
        store.root,
        writer.seals_written,
        writer.tail.next_index,
    )


@contextmanager
def _stop_on_signals(stop: Callable[[], None]) -> Iterator[None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        log.info("stop_requested", signal=signal.Signals(signum).name)
        stop()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def status_text(s: WatchStatus) -> str:
    rate = s.records / s.elapsed if s.elapsed > 0 else 0.0
    return (
        f"watching {s.files} files · {s.records:,} records ({s.bytes / 1e6:,.1f} MB) · "
        f"{rate:,.0f}/s · {s.seals} seals · last seal {s.seconds_since_seal:.0f} s ago"
    )


@contextmanager
def status_display() -> Iterator[StatusCallback]:
    """A live status line on a terminal; `watch_status` log events every minute otherwise."""
    if sys.stderr.isatty():
        with Live(Text(""), console=err_console, transient=True, auto_refresh=False) as live:

            def show(s: WatchStatus) -> None:
                live.update(Text(status_text(s)), refresh=True)

            yield show
        return
    last = [0.0]

    def emit(s: WatchStatus) -> None:
        now = time.monotonic()
        if now - last[0] >= LOG_STATUS_EVERY:
            last[0] = now
            log.info(
                "watch_status",
                files=s.files,
                records=s.records,
                bytes=s.bytes,
                seals=s.seals,
                records_sealed=s.records_sealed,
                seconds_since_seal=round(s.seconds_since_seal, 1),
            )

    yield emit


@click.command("watch")
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The logchain.toml to run (docs/CONFIG.md).",
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(file_okay=False, path_type=Path),
    help="Override `store`.",
)
@click.option(
    "--tsa", "tsa_urls", multiple=True, metavar="URL", help="Override `sealing.tsa` (repeatable)."
)
@click.option(
    "--key", type=click.Path(dir_okay=False, path_type=Path), help="Override `sealing.key`."
)
@click.option("--polling", is_flag=True, help="Poll instead of inotify (network filesystems).")
@click.option("--workers", type=click.IntRange(0, 64), help="Override `watch.workers`.")
@click.option("--max-records", type=click.IntRange(1), help="Override `segments.max_records`.")
@click.option("--max-age", type=click.FloatRange(min=0.001), help="Override `segments.max_age`.")
@json_option
def watch_cmd(
    config_path: Path,
    store_path: Path | None,
    tsa_urls: tuple[str, ...],
    key: Path | None,
    polling: bool,
    workers: int | None,
    max_records: int | None,
    max_age: float | None,
    as_json: bool,
) -> None:
    """Follow the configured log files and seal every line, until SIGTERM or Ctrl-C."""
    config = apply_overrides(
        load_config(config_path),
        Overrides(store_path, tsa_urls, key, polling, workers, max_records, max_age),
    )
    if not config.sources:
        raise ConfigError(
            "there is nothing to watch: add a [[source]] table with a path",
            path=config_path,
            key="source",
        )
    with status_display() as show:
        result = run_ingest(
            config, f"logchain watch --config {config_path}", follow=True, on_status=show
        )
    if as_json:
        print_json(result.to_json())
    else:
        click.echo(
            f"stopped: {result.status.records} records sealed in {result.seals_written} seals; "
            "the close seal is written"
        )
