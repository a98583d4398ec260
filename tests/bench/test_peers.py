"""The peers on a tiny workload, where they are installed (skipped with the reason otherwise)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from logchain.cli.bench import peers, workload


class TestRsyslog:
    def test_copies_every_byte(self, tiny_workload: workload.Workload, tmp_path: Path) -> None:
        """rsyslog's output holds as many bytes as the input, and its usage is measured."""
        if shutil.which("rsyslogd") is None and not Path("/usr/sbin/rsyslogd").exists():
            pytest.skip("rsyslog is not installed (apt-get install rsyslog)")
        run = peers.run_rsyslog(tiny_workload.files, tmp_path / "rs")
        assert run.ingest.records == tiny_workload.records
        assert run.ingest.disk_bytes >= tiny_workload.bytes
        assert run.ingest.cpu_s > 0
        assert f"output {tiny_workload.bytes} bytes" in run.detail
        assert not (tmp_path / "rs").exists()


class TestJournalFss:
    def test_seals_verifies_and_removes_the_key(
        self, tiny_workload: workload.Workload, tmp_path: Path
    ) -> None:
        """journal-remote writes every entry sealed, journalctl verifies it, the key is removed."""
        if not peers.JOURNAL_REMOTE.is_file():
            pytest.skip("systemd-journal-remote is not installed")
        key_dir = peers.JOURNAL_DIR / peers.MACHINE_ID.read_text().strip()
        if (key_dir / "fss").exists():
            pytest.skip(f"{key_dir / 'fss'} exists: the harness never replaces a key")
        run = peers.run_journal(tiny_workload.files, tmp_path / "j")
        assert run.verify is not None
        assert f"{tiny_workload.records} entries" in run.detail
        assert run.ingest.disk_bytes > 0
        assert not (key_dir / "fss").exists()

    def test_export_has_one_entry_per_line(
        self, tiny_workload: workload.Workload, tmp_path: Path
    ) -> None:
        """Journal Export Format: one MESSAGE per line, entries separated by a blank line."""
        dest = tmp_path / "export.txt"
        n = peers.write_export(tiny_workload.files, dest)
        data = dest.read_bytes()
        assert n == tiny_workload.records
        assert data.count(b"\nMESSAGE=") + data.startswith(b"MESSAGE=") == n
        assert data.count(b"\n\n") == n


def test_peer_peak_rss_is_the_childs_own() -> None:
    """A small child of a large harness process reports its own peak memory, not the harness's
    (wait4's ru_maxrss counts the harness's pages the child held until its exec)."""
    import resource
    import sys

    ballast = bytearray(300 * 1024 * 1024)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # touch every page: resident
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    code = (
        "b = bytearray(40 * 2**20); b[::4096] = b'\\x01' * len(b[::4096]); "
        "import time; time.sleep(0.3)"
    )
    usage, _ = peers._run([sys.executable, "-c", code], timeout=60)
    assert usage.status == 0
    assert 40 * 2**20 <= usage.peak_rss < 150 * 2**20 < own
    del ballast
