"""A tiny seeded workload shared by the harness tests (real files, generated once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from logchain.cli.bench import workload


@pytest.fixture(scope="session")
def tiny_workload(tmp_path_factory: pytest.TempPathFactory) -> workload.Workload:
    """2,000 records of every format, in two parts."""
    root = tmp_path_factory.mktemp("bench") / "workload"
    return workload.generate(root, records=2_000, seed=7, parts=2, jobs=1)


@pytest.fixture
def tiny_files(tiny_workload: workload.Workload) -> tuple[workload.WorkFile, ...]:
    return tiny_workload.files


def file_lines(path: Path) -> int:
    return path.read_bytes().count(b"\n")
