"""`logchain demo`, each exit code (0, 1, 2, 3), and one run of the installed `logchain` script."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import flip_raw_byte


class TestDemo:
    def test_demo_runs_and_catches_the_tamper(self, tmp_path, run):
        """The demo ingests generated logs, verifies, catches a flipped byte, shows next steps."""
        res = run("demo", "--records", "300", "--dir", tmp_path / "demo")
        assert res.code == 0
        ingested = int(re.search(r"3\. ingested (\d+) records", res.out).group(1))
        files = int(re.search(r"lines in (\d+) files", res.out).group(1))
        assert ingested >= 300
        # plus the writer's open and close records, and one file_opened record per file
        assert f"4. verify: OK, {ingested + 2 + files} records" in res.out
        assert "5. a copy with one byte changed inside a sealed segment is caught:" in res.out
        assert "RootMismatch" in res.out
        span = re.search(r"a record in (\d+)\.\.(\d+) was altered", res.out)
        assert span is not None
        assert int(span.group(2)) - int(span.group(1)) == 63  # the chunk, not the whole segment
        assert "Next, try:" in res.out
        assert (tmp_path / "demo" / "store" / "logchain.json").is_file()

    def test_demo_with_input_files(self, tmp_path, run):
        """--input ingests the given files instead of generated ones."""
        log = tmp_path / "given.log"
        log.write_bytes(b"first\nsecond\n")
        res = run("demo", "--input", log, "--dir", tmp_path / "demo")
        assert res.code == 0
        assert "2. using 1 input files" in res.out
        assert "3. ingested 2 records" in res.out


class TestExitCodes:
    def test_0_ok(self, ingested, run):
        """A successful command exits 0."""
        store, _ = ingested
        assert run("verify", "--store", store).code == 0

    def test_1_integrity(self, ingested, run):
        """An integrity failure exits 1."""
        store, _ = ingested
        flip_raw_byte(store, 2, 0)
        assert run("verify", "--store", store).code == 1

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["verify"], "Missing option '--store'"),
            (["verify", "--store", "{tmp}/nowhere"], "is not a logchain store"),
            (["nosuchcommand"], "No such command 'nosuchcommand'"),
            (["init", "{tmp}/s", "--seal-interval", "0"], "0 is not in the range"),
        ],
        ids=["missing-option", "not-a-store", "unknown-command", "bad-value"],
    )
    def test_2_usage(self, tmp_path, run, args, message):
        """A wrong command line exits 2 and says what is wrong."""
        res = run(*[a.format(tmp=tmp_path) for a in args])
        assert res.code == 2
        assert message in res.err

    def test_3_operational(self, ingested, run):
        """An unreachable TSA is operational: exit 3 with the TSA named."""
        store, _ = ingested
        res = run(
            "timestamp", "--store", store, "--tsa", "http://127.0.0.1:9/tsr", "--timeout", "2"
        )
        assert res.code == 3
        assert "TimestampAuthorityError: TSA http://127.0.0.1:9/tsr unreachable" in res.err


def installed_script() -> Path:
    """The `logchain` console script installed beside this interpreter."""
    script = Path(sys.executable).with_name("logchain")
    if not script.exists():
        found = shutil.which("logchain")
        if found is None:
            pytest.fail("the logchain console script is not installed (pip install -e .)")
        script = Path(found)
    return script


def test_installed_script_runs_in_a_subprocess(ingested):
    """The real `logchain` executable verifies a store and prints the JSON report."""
    store, _ = ingested
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGCHAIN_")}
    proc = subprocess.run(
        [str(installed_script()), "verify", "--store", str(store), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert (report["ok"], report["records"], report["state"]) == (True, 53, "closed")
