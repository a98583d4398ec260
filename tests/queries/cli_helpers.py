"""Running the CLI in-process and reading the store's own audit records."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from logchain.cli import main
from logchain.store import Store


def run(capsys, *args: object) -> tuple[int, str, str]:
    """main([...]) with its exit code, stdout and stderr."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def system_events(store: Store, event: str) -> list[dict[str, object]]:
    """Bodies of the sealed system records of ``event`` (straight from the Parquet files)."""
    out = []
    for path in sorted(Path(store.segments_dir).glob("*.parquet")):
        t = pq.read_table(path, columns=["source", "event_type", "raw"])
        for src, typ, raw in zip(*(t.column(c).to_pylist() for c in t.column_names), strict=True):
            if src == "logchain" and typ == event:
                out.append(json.loads(raw))
    return out
