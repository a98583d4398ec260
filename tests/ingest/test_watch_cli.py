"""`logchain watch` and `logchain ingest` as users run them: signals, exit codes, output."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from logchain.catalog import verified_catalog
from logchain.cli import main
from logchain.cli.wiring import store_verifier
from logchain.store import Store
from tests.ingest.tailkit import events, rebuild, source_records, wait_for

LOGCHAIN = Path(sys.executable).parent / "logchain"


def config(tmp_path: Path, store: Store, log: Path) -> Path:
    path = tmp_path / "logchain.toml"
    path.write_text(
        f'store = "{store.root}"\n[segments]\nmax_age = 0.2\n[[source]]\npath = "{log}"\n',
        encoding="utf-8",
    )
    return path


def seal_count(store: Store) -> int:
    return len(store.seal_files()[0])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_flushes_seals_and_exits_0(store: Store, tmp_path: Path, sig: signal.Signals):
    """On SIGTERM/SIGINT the daemon stores what it read, writes the close seal, exits 0."""
    log = tmp_path / "app.log"
    log.write_bytes(b"")
    cfg = config(tmp_path, store, log)
    before = seal_count(store)
    daemon = subprocess.Popen(
        [str(LOGCHAIN), "watch", "--config", str(cfg), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: seal_count(store) > before, "the open seal", 120)
        with log.open("ab") as fh:
            fh.write(b"one\ntwo\n")
            fh.flush()
            time.sleep(0.5)
            fh.write(b"three\n")
        wait_for(lambda: seal_count(store) > before + 2, "a segment seal", 60)
        daemon.send_signal(sig)
        out, err = daemon.communicate(timeout=120)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert daemon.returncode == 0, err.decode()
    report = json.loads(out)
    assert report["records"] == 3
    seals = verified_catalog(store, store_verifier(store)).seals
    assert seals[-1].kind == "close"
    assert rebuild(source_records(store, str(log))) == b"one\ntwo\nthree\n"
    assert subprocess.run([str(LOGCHAIN), "verify", "--store", str(store.root)]).returncode == 0


def test_ingest_files_reports_each_file(store: Store, tmp_path: Path, capsys):
    """`logchain ingest --store S FILE...` stores every line and reports the offsets read."""
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_bytes(b"1\n2\n")
    b.write_bytes(b"x\ny")
    assert main(["ingest", "--store", str(store.root), "--json", str(a), str(b)]) == 0
    report = json.loads(capsys.readouterr().out)
    files = {f["path"]: f for f in report["files"]}
    assert files[str(a)]["records"] == 2
    assert files[str(b)]["to_offset"] == 3
    assert report["events"]["partial_line_stored"] == 1
    assert main(["ingest", "--store", str(store.root), str(a)]) == 0
    assert "0 records (bytes 4..4)" in capsys.readouterr().out


def test_ingest_uses_the_config_sources(store: Store, tmp_path: Path):
    """`logchain ingest --config F` reads the configured sources once, to their end."""
    log = tmp_path / "app.log"
    log.write_bytes(b"from config\n")
    assert main(["ingest", "--config", str(config(tmp_path, store, log))]) == 0
    assert [r["raw"] for r in source_records(store, str(log))] == [b"from config"]
    assert len(events(store, "file_opened")) == 1


def test_ingest_without_sources_is_a_usage_error(store: Store, capsys):
    """No FILES and no --config: exit 2 with what to do."""
    assert main(["ingest", "--store", str(store.root)]) == 2
    assert "Give FILES, or --config" in capsys.readouterr().err


def test_status_is_logged_when_not_a_terminal(monkeypatch):
    """Without a terminal, the status goes out as a structured `watch_status` event."""
    from structlog.testing import capture_logs

    from ingest.watch import WatchStatus
    from logchain.cli.watch import status_display, status_text

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    status = WatchStatus(2, 10, 500, 3, {"file_opened": 2}, 4, 9, 1.5, 2.0)
    with capture_logs() as logs, status_display() as show:
        show(status)
        show(status)  # within the minute: not repeated
    assert [e["event"] for e in logs] == ["watch_status"]
    assert logs[0]["records"] == 10
    assert status_text(status).startswith("watching 2 files · 10 records")
