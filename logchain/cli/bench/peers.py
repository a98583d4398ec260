"""Peers measured on the same input: rsyslog (no integrity) and journald's Forward Secure Sealing.

rsyslog: ``rsyslogd -n`` with imfile (inotify) on every workload file and omfile writing
``%rawmsg%``; timed from the daemon's start until its output holds every input byte, then stopped.

systemd-journal-remote: the lines are converted to Journal Export Format first (untimed; realtime
stamps are rebased to now, since FSS rejects entries older than its sealing epoch), a sealing key
is made with ``journalctl --setup-keys`` under ``/var/log/journal/<machine-id>/fss``, then
``systemd-journal-remote --seal=yes`` writes the journal and ``journalctl --verify --verify-key``
checks every file. The key (and any directory made for it) is removed afterwards; a key already
there is never touched (the peer is reported as not run instead).

CPU time comes from ``wait4`` on each child, peak RSS from its ``VmHWM`` while it runs
(``wait4``'s ``ru_maxrss`` would count this process's memory the child had before its exec).
A peer that cannot run says why.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from logchain.cli.bench.measure import Sample
from logchain.cli.bench.workload import WorkFile

RSYSLOGD = "rsyslogd"
JOURNAL_REMOTE = Path("/lib/systemd/systemd-journal-remote")
JOURNAL_DIR = Path("/var/log/journal")
MACHINE_ID = Path("/etc/machine-id")
#: Slowest rate we wait for before declaring a peer stuck (bytes/s), and the least wait.
MIN_RATE = 2_000_000
MIN_WAIT_S = 60.0


_FINISHED = re.compile(r"Finishing after writing (\d+) entries")


class PeerUnavailable(Exception):
    """The peer cannot run here; the message says why (it goes into the report)."""


@dataclass(frozen=True, slots=True)
class PeerRun:
    """One peer run: its ingest sample and, for the sealed journal, its verify sample."""

    ingest: Sample
    verify: Sample | None
    detail: str


@dataclass(frozen=True, slots=True)
class ChildUsage:
    wall_s: float
    cpu_s: float
    peak_rss: int
    status: int


def _run(argv: Sequence[str], *, timeout: float) -> tuple[ChildUsage, str]:
    """Run ``argv`` to completion; wall, CPU and peak RSS from wait4; raises on timeout."""
    with tempfile.TemporaryFile() as errf:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errf)
        usage = _wait(proc, t0, timeout)
        errf.seek(0)
        err = errf.read().decode(errors="replace")
    return usage, err


def _wait(proc: subprocess.Popen[bytes], t0: float, timeout: float) -> ChildUsage:
    hwm = 0
    while True:
        hwm = max(hwm, _high_water_mark(proc.pid))
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - t0 > timeout:
            proc.kill()
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            raise PeerUnavailable(f"{proc.args!r} did not finish within {timeout:.0f} s")
        time.sleep(0.005)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    # wait4's ru_maxrss also counts the memory of this (large) process that the child had before
    # its exec, so the child's own peak is taken from /proc while it runs when that can be read.
    peak = hwm or ru.ru_maxrss * 1024
    return ChildUsage(wall, ru.ru_utime + ru.ru_stime, peak, proc.returncode)


def _high_water_mark(pid: int) -> int:
    """The process's peak resident set since its exec (``VmHWM``), in bytes; 0 if unknown."""
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def allocated_bytes(paths: Sequence[Path]) -> int:
    """Bytes the files take on disk (allocated blocks, as ``du`` counts)."""
    return sum(p.stat().st_blocks * 512 for p in paths)


# ---------------------------------------------------------------- rsyslog


def _rsyslog_conf(files: Sequence[WorkFile], work: Path, out: Path) -> str:
    inputs = "\n".join(
        f'input(type="imfile" File="{f.path}" Tag="bench:" ruleset="r" freshStartTail="off")'
        for f in files
    )
    return f"""global(workDirectory="{work}" maxMessageSize="8k")
module(load="imfile" mode="inotify")
template(name="rawline" type="string" string="%rawmsg%\\n")
{inputs}
ruleset(name="r" queue.type="LinkedList" queue.size="200000" queue.dequeueBatchSize="4096") {{
  action(type="omfile" file="{out}" template="rawline" asyncWriting="on"
         ioBufferSize="1m" flushOnTXEnd="off" flushInterval="1")
}}
"""


def _wait_for_size(
    proc: subprocess.Popen[bytes], out: Path, want: int, t0: float, timeout: float
) -> float:
    while (out.stat().st_size if out.exists() else 0) < want:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise PeerUnavailable(f"rsyslogd exited with {proc.returncode}: {err[-400:]}")
        if time.perf_counter() - t0 > timeout:
            raise PeerUnavailable(f"rsyslogd wrote too little within {timeout:.0f} s")
        time.sleep(0.005)
    return time.perf_counter() - t0


def _stop(proc: subprocess.Popen[bytes]) -> ChildUsage:
    if proc.returncode is not None:  # already reaped by poll(): no usage left to read
        return ChildUsage(0.0, 0.0, 0, proc.returncode)
    proc.send_signal(signal.SIGTERM)
    return _wait(proc, time.perf_counter(), 30.0)


def run_rsyslog(files: Sequence[WorkFile], scratch: Path) -> PeerRun:
    """rsyslogd imfile -> omfile over ``files``; raises PeerUnavailable if it cannot run."""
    exe = shutil.which(RSYSLOGD) or shutil.which(RSYSLOGD, path="/usr/sbin:/sbin")
    if exe is None:
        raise PeerUnavailable(
            "rsyslogd is not installed (apt-get install -y --no-install-recommends rsyslog)"
        )
    shutil.rmtree(scratch, ignore_errors=True)
    work = scratch / "work"
    work.mkdir(parents=True)
    out = scratch / "out.log"
    conf = scratch / "rsyslog.conf"
    conf.write_text(_rsyslog_conf(files, work, out))
    want = sum(f.bytes for f in files)
    timeout = max(MIN_WAIT_S, want / MIN_RATE)
    argv = [exe, "-n", "-f", str(conf), "-i", str(scratch / "rsyslogd.pid")]
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wall = _wait_for_size(proc, out, want, t0, timeout)
    finally:
        usage = _stop(proc)
    got = out.stat().st_size
    records = sum(f.records for f in files)
    sample = Sample(wall, usage.cpu_s, usage.peak_rss, records, want, allocated_bytes([out]))
    detail = f"output {got} bytes for {want} input bytes"
    shutil.rmtree(scratch, ignore_errors=True)
    return PeerRun(sample, None, detail)


# ---------------------------------------------------------------- journald FSS


def write_export(files: Sequence[WorkFile], dest: Path) -> int:
    """Journal Export Format of every line, stamped from now on; returns the entry count."""
    now_us = time.time_ns() // 1000
    boot = os.urandom(16).hex()
    n = 0
    with dest.open("wb") as out:
        for f in files:
            ident = f.format.encode()
            with f.path.open("rb") as fh:
                for line in fh:
                    out.write(
                        b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=%s\n"
                        b"_HOSTNAME=bench\nSYSLOG_IDENTIFIER=%s\nPRIORITY=6\n_TRANSPORT=syslog\n"
                        b"MESSAGE=%s\n\n"
                        % (now_us + n, n + 1, boot.encode(), ident, line.rstrip(b"\n"))
                    )
                    n += 1
    return n


@contextmanager
def fss_key() -> Iterator[str]:
    """A fresh FSS sealing key for this machine id; yields the verification key, then removes it."""
    if not MACHINE_ID.is_file():
        raise PeerUnavailable(f"{MACHINE_ID} is missing, so journald has no key directory")
    key_dir = JOURNAL_DIR / MACHINE_ID.read_text().strip()
    if (key_dir / "fss").exists():
        raise PeerUnavailable(
            f"{key_dir / 'fss'} already exists: the harness never replaces a sealing key "
            "it did not make (remove it yourself to measure this peer)"
        )
    made = [d for d in (JOURNAL_DIR, key_dir) if not d.exists()]
    key_dir.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run(
            ["journalctl", "--setup-keys", "--interval=15min"],
            capture_output=True,
            check=False,
            timeout=60,
        )
        if proc.returncode != 0:
            raise PeerUnavailable(f"journalctl --setup-keys failed: {proc.stderr.decode()[-300:]}")
        yield proc.stdout.decode().strip()
    finally:
        (key_dir / "fss").unlink(missing_ok=True)
        for d in reversed(made):
            d.rmdir()


def run_journal(files: Sequence[WorkFile], scratch: Path) -> PeerRun:
    """systemd-journal-remote --seal=yes, then journalctl --verify with the key."""
    if not JOURNAL_REMOTE.is_file() or shutil.which("journalctl") is None:
        raise PeerUnavailable(
            "systemd-journal-remote is not installed "
            "(apt-get install -y --no-install-recommends systemd-journal-remote)"
        )
    shutil.rmtree(scratch, ignore_errors=True)
    out_dir = scratch / "journal"
    out_dir.mkdir(parents=True)
    export = scratch / "export.txt"
    t0 = time.perf_counter()
    entries = write_export(files, export)
    convert_s = time.perf_counter() - t0
    records = sum(f.records for f in files)
    raw = sum(f.bytes for f in files)
    timeout = max(MIN_WAIT_S, raw / MIN_RATE)
    with fss_key() as key:
        argv = [str(JOURNAL_REMOTE), f"--output={out_dir / 'remote.journal'}"]
        argv += ["--split-mode=none", "--seal=yes", str(export)]
        ing, err = _run(argv, timeout=timeout)
        written = _FINISHED.search(err)
        if ing.status != 0 or written is None or int(written.group(1)) != entries:
            raise PeerUnavailable(
                f"systemd-journal-remote exited {ing.status} and did not write all {entries} "
                f"entries: {err[-300:]}"
            )
        journals = sorted(out_dir.glob("*.journal"))
        disk = allocated_bytes(journals)
        v_wall = v_cpu = 0.0
        v_rss = 0
        for j in journals:
            vu, verr = _run(
                ["journalctl", "--verify", f"--file={j}", f"--verify-key={key}"], timeout=timeout
            )
            if vu.status != 0:
                raise PeerUnavailable(f"journalctl --verify failed on {j.name}: {verr[-300:]}")
            v_wall, v_cpu, v_rss = v_wall + vu.wall_s, v_cpu + vu.cpu_s, max(v_rss, vu.peak_rss)
    ingest = Sample(ing.wall_s, ing.cpu_s, ing.peak_rss, records, raw, disk)
    verify = Sample(v_wall, v_cpu, v_rss, records, raw, disk)
    detail = (
        f"{entries} entries in {len(journals)} journal files, {disk} bytes allocated; "
        f"export conversion {convert_s:.1f} s (untimed)"
    )
    shutil.rmtree(scratch, ignore_errors=True)
    return PeerRun(ingest, verify, detail)
