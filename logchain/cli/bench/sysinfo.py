"""What the figures were measured on: machine, versions, git commit, how busy the machine was."""

from __future__ import annotations

import os
import platform
import re
import shutil
import ssl
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy
import pyarrow

from logchain import __version__, leaves

_REPO = Path(__file__).resolve().parents[3]


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _out(argv: list[str], cwd: Path | None = None) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, check=False, timeout=20, cwd=cwd)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return proc.stdout.decode(errors="replace").strip() if proc.returncode == 0 else ""


def machine_info(out_dir: Path) -> dict[str, Any]:
    """CPU model, cores, RAM, the disk under ``out_dir``, kernel."""
    cpu = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.M)
    flags = re.search(r"^flags\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.M)
    mem = re.search(r"^MemTotal:\s+(\d+) kB", _read("/proc/meminfo"), re.M)
    du = shutil.disk_usage(out_dir)
    source = _out(["findmnt", "-no", "SOURCE,FSTYPE", "--target", str(out_dir)])
    dev = source.split()[0] if source else ""
    rota = _read(f"/sys/block/{Path(dev).name}/queue/rotational").strip() if dev else ""
    return {
        "cpu_model": cpu.group(1).strip() if cpu else platform.processor(),
        "cores": os.cpu_count(),
        "sha_ni": bool(flags and " sha_ni" in flags.group(1)),
        "hypervisor": bool(flags and " hypervisor" in flags.group(1)),
        "ram_bytes": int(mem.group(1)) * 1024 if mem else None,
        "disk": {
            "device": dev,
            "fstype": source.split()[1] if len(source.split()) > 1 else "",
            "rotational": rota == "1" if rota else None,
            "size_bytes": du.total,
            "free_bytes": du.free,
        },
        "kernel": platform.release(),
        "os": _read("/etc/debian_version").strip() or platform.platform(),
    }


def versions() -> dict[str, str]:
    """Versions of everything that shapes the figures (peers: empty when not installed)."""
    rsyslog = _out(["rsyslogd", "-v"]).splitlines()
    journal = _out(["journalctl", "--version"]).splitlines()
    return {
        "logchain": __version__,
        "python": platform.python_version(),
        "pyarrow": pyarrow.__version__,
        "duckdb": duckdb.__version__,
        "numpy": numpy.__version__,
        "openssl": ssl.OPENSSL_VERSION,
        "openssl_cli": _out(["openssl", "version"]),
        "hash_backend": leaves.available_backend(),
        "rsyslog": " ".join(rsyslog[0].replace("compiled with:", "").split()) if rsyslog else "",
        "systemd": journal[0] if journal else "",
    }


def git_info() -> dict[str, Any]:
    """Commit, branch and whether the work tree had changes (empty outside a checkout)."""
    commit = _out(["git", "rev-parse", "HEAD"], cwd=_REPO)
    return {
        "commit": commit,
        "branch": _out(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=_REPO),
        "dirty": bool(_out(["git", "status", "--porcelain", "--untracked-files=no"], cwd=_REPO))
        if commit
        else None,
    }


@dataclass(frozen=True, slots=True)
class CpuTimes:
    """Machine-wide busy and total CPU seconds (from /proc/stat)."""

    busy: float
    total: float


def cpu_times() -> CpuTimes:
    line = _read("/proc/stat").splitlines()[0].split() if _read("/proc/stat") else []
    if not line:
        return CpuTimes(0.0, 0.0)
    ticks = [int(x) for x in line[1:]]
    hz = os.sysconf("SC_CLK_TCK")
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    return CpuTimes((sum(ticks) - idle) / hz, sum(ticks) / hz)


def busy_cores(before: CpuTimes, after: CpuTimes, wall_s: float) -> float:
    """Average number of busy cores (all processes, ours included) between two readings."""
    return (after.busy - before.busy) / wall_s if wall_s > 0 else 0.0


def python_executable() -> str:
    return sys.executable
