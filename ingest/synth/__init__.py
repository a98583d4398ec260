"""Seeded generator of realistic system-activity logs with embedded, known incidents.

One simulated day (:data:`~ingest.synth.world.DAY_START`, UTC) of an organisation's servers,
written in the formats the parsers read: ``auth.log`` and ``syslog`` (BSD syslog), ``audit.log``
(auditd), ``edr.jsonl`` (ECS JSON lines), ``access.log`` (nginx combined), ``conn.log`` and
``dns.log`` (Zeek TSV). Embedded incidents and their facts: :func:`ground_truth`. The same seed
and size always give byte-identical files.

>>> from ingest.synth import ground_truth, iter_lines
>>> truth = ground_truth(7)
>>> truth.brute_force.user, truth.silent_host
('deploy', 'web02')
>>> sum(1 for _ in iter_lines("auth.log", seed=7, records=5000))
5000
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from ingest.synth import formats as fmt
from ingest.synth.background import background
from ingest.synth.incidents import build
from ingest.synth.truth import GroundTruth
from ingest.synth.world import make_rng

__all__ = ["FILES", "FORMATS", "GroundTruth", "ground_truth", "iter_lines", "split_records",
           "write_log", "write_sample_logs"]  # fmt: skip

#: Generated files: name -> (share of the records, parser that reads it).
FILES: Final = {
    "auth.log": (0.25, "rfc3164"),
    "syslog": (0.10, "rfc3164"),
    "audit.log": (0.15, "auditd"),
    "edr.jsonl": (0.15, "json"),
    "access.log": (0.20, "access"),
    "conn.log": (0.10, "zeek"),
    "dns.log": (0.05, "zeek"),
}
FORMATS: Final = {name: parser for name, (_, parser) in FILES.items()}
_ZEEK_CLOSE: Final = b"#close\t2026-03-03-00-00-00"
_ZEEK: Final = {"conn.log": ("conn", fmt.CONN_FIELDS), "dns.log": ("dns", fmt.DNS_FIELDS)}


def ground_truth(seed: int) -> GroundTruth:
    """The facts of the incidents embedded in every file generated with ``seed``."""
    return build(seed)[0]


def iter_lines(name: str, *, seed: int, records: int) -> Iterator[bytes]:
    """Lines (without newline) of generated file ``name``, lazily, in time order.

    Yields ``records`` lines, or the file's incident and header lines alone when they are more.
    Memory stays flat at any size (100M lines stream fine). Raises KeyError for an unknown name.
    """
    truth, incident_lines = build(seed)
    incidents = incident_lines.get(name, [])
    head: list[bytes] = []
    tail: list[bytes] = []
    if name in _ZEEK:
        path, fields = _ZEEK[name]
        head, tail = fmt.zeek_header(path, fields), [_ZEEK_CLOSE]
    n = max(0, records - len(head) - len(tail) - len(incidents))
    rng = make_rng(seed, name)
    ordinary = background(name, rng, n, (truth.silent_host, truth.silent_after))
    yield from head
    for _, line in heapq.merge(ordinary, incidents):
        yield line
    yield from tail


def write_log(
    path: Path, name: str, *, seed: int, records: int, max_bytes: int | None = None
) -> int:
    """Write generated file ``name`` to ``path`` (at most ``max_bytes``); returns lines written."""
    written = size = 0
    with path.open("wb") as fh:
        for line in iter_lines(name, seed=seed, records=records):
            size += len(line) + 1
            if max_bytes is not None and size > max_bytes:
                break
            fh.write(line + b"\n")
            written += 1
    return written


def write_sample_logs(directory: Path, *, records: int, seed: int) -> list[Path]:
    """Write every generated file to ``directory``; returns their paths.

    ``records`` lines in all, shared by :data:`FILES`' proportions after each file's incident
    and header lines, which are always written whole (so a total below about 500 is exceeded).
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, count in split_records(records, seed).items():
        path = directory / name
        write_log(path, name, seed=seed, records=count)
        paths.append(path)
    return paths


def split_records(records: int, seed: int) -> dict[str, int]:
    """Lines per file for ``records`` in all: the fixed lines, then the rest by share."""
    _, incidents = build(seed)
    fixed = {name: len(incidents.get(name, [])) for name in FILES}
    for name, (path, fields) in _ZEEK.items():
        fixed[name] += len(fmt.zeek_header(path, fields)) + 1  # header lines and #close
    spare = max(0, records - sum(fixed.values()))
    counts = {name: fixed[name] + int(spare * share) for name, (share, _) in FILES.items()}
    counts["auth.log"] += max(0, records - sum(counts.values()))
    return counts
