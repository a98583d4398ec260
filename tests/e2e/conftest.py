"""Running the CLI in-process through ``logchain.cli.main`` on real files in tmp_path."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from logchain.cli import main


@dataclass(frozen=True, slots=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


Run = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``logchain ARGS...`` in-process; returns the exit code and what it printed."""

    def call(*args: object) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return call


@pytest.fixture
def ingested(tmp_path: Path, run: Run) -> tuple[Path, Path]:
    """A store made by `logchain init` with one log file ingested by `logchain ingest`."""
    store = tmp_path / "store"
    log = tmp_path / "auth.log"
    lines = [
        f"Nov 25 10:00:{i % 60:02d} web01 sshd[{100 + i}]: Accepted for u{i % 5}" for i in range(50)
    ]
    log.write_bytes(("\n".join(lines) + "\n").encode())
    assert run("init", store).code == 0
    assert run("ingest", "--store", store, log).code == 0
    return store, log


def flip_raw_byte(store: Path, seal_index: int, row: int) -> None:
    """Rewrite a sealed segment with one bit of one record's raw flipped (footer kept)."""
    path = store / "segments" / f"{seal_index:012d}.parquet"
    table = pq.read_table(path)
    footer = pq.read_metadata(path).metadata or {}
    raw = table.column("raw").to_pylist()
    raw[row] = bytes([raw[row][0] ^ 1]) + raw[row][1:]
    table = table.set_column(table.schema.get_field_index("raw"), "raw", pa.array(raw, pa.binary()))
    meta = {k: v for k, v in footer.items() if k.startswith(b"logchain.")}
    path.chmod(0o644)
    pq.write_table(table.replace_schema_metadata(meta), path, compression="zstd")
