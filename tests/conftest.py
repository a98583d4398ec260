"""Shared fixtures: real stores with real keys, a real local TSA and real Parquet segments."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import structlog
from hypothesis import settings

from logchain.cli.init import init_store
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import FixedClock, SystemClock
from logchain.record import RecordFlag
from logchain.segment import RecordBatch
from logchain.store import Store
from logchain.writer import LogWriter, SegmentLimits

settings.register_profile("ci", derandomize=True, max_examples=40, deadline=None)
settings.register_profile("dev", max_examples=25, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--online", action="store_true", help="run tests that need the network")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--online"):
        return
    skip = pytest.mark.skip(reason="needs the network: run with --online")
    for item in items:
        if "online" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()


@pytest.fixture(scope="session")
def _template_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "store"
    init_store(path, seal_interval=60)
    return path


@pytest.fixture(scope="session")
def template_store(_template_store: Path) -> Path:
    """The session's pristine store directory (copy it; never write to it)."""
    return _template_store


@pytest.fixture
def store(tmp_path: Path, _template_store: Path) -> Store:
    """A fresh store (a copy of one made by `logchain init`: real key, real local TSA)."""
    dest = tmp_path / "store"
    shutil.copytree(_template_store, dest)
    return Store(dest)


def lines_batch(
    source: str,
    lines: Sequence[bytes],
    *,
    file_id: int = 1,
    start: int = 0,
    flags: Sequence[int] | None = None,
) -> RecordBatch:
    """A batch of generic records for ``lines`` as if read from one file at ``start``."""
    offsets = []
    pos = start
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    n = len(lines)
    return RecordBatch(
        source=[source] * n,
        source_file_id=[file_id] * n,
        source_offset=offsets,
        raw=list(lines),
        flags=list(flags) if flags is not None else [int(RecordFlag.NONE)] * n,
        derived={
            "message": [line.decode("utf-8", "replace") for line in lines],
            "parser": ["generic"] * n,
            "parser_version": ["1"] * n,
        },
    )


MakeLog = Callable[..., Store]


@pytest.fixture
def make_log(store: Store) -> MakeLog:
    """Fill ``store`` with ``n`` records in ``segments`` sealed segments and close the chain."""

    def make(
        n: int = 300,
        *,
        segments: int = 3,
        clock: FixedClock | SystemClock | None = None,
        close: bool = True,
    ) -> Store:
        per = max(1, -(-n // segments))
        writer = LogWriter(
            store,
            store_sealer(store),
            store_verifier(store),
            clock or SystemClock(),
            limits=SegmentLimits(max_records=10**9),
            command="test",
        )
        with store.writer_lock("test"):
            writer.open()
            done = 0
            while done < n:
                k = min(per, n - done)
                lines = [f"line {done + i} user=u{(done + i) % 7} ok".encode() for i in range(k)]
                writer.append(lines_batch("app.log", lines, start=done * 100))
                writer.flush()
                done += k
            if close:
                writer.close()
        return store

    return make


def require_shared_data(*parts: str) -> Path:
    """Path into ../shared/data, or skip with the reason (CI always has the folder)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data {path} is absent (this clone has no ../shared/data beside it)")
    return path
