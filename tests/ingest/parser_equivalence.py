"""Corpora and canonical output for the parser equivalence test (test_parsers_equivalence.py).

The reference file ``parser_reference.json`` holds, per corpus, a digest of every parser output
column as stored (after ``logchain.segment.build_table``), computed with the parsers as they were
before the speed work (commit named in the file). To add corpora, regenerate it with the
parsers of that commit. ``python -m`` puts the current directory first on the path, so run it
from a directory holding that commit's ``ingest`` and a copy of these tests (``shared`` three
levels above the module, for the real samples); ``--write`` refuses this checkout's ``ingest``::

    mkdir -p /tmp/ref/gen && ln -s /work/shared /tmp/ref/shared && cp -r tests /tmp/ref/gen/
    git archive COMMIT ingest | tar -x -C /tmp/ref/gen
    (cd /tmp/ref/gen && $REPO/.venv/bin/python -m tests.ingest.parser_equivalence --write COMMIT)
    cp /tmp/ref/gen/tests/ingest/parser_reference.json tests/ingest/

An intended change of output needs a new reference from the new parsers, and a commit saying why.

Canonical form of a column: the values the segment table holds (``event_time`` as integer
microseconds, dictionary columns as their strings); ``attrs`` is compared as JSON (parsed, keys
sorted), so a parser may write its keys in another order. Each corpus is parsed in batches of
two sizes, which must give the same output (parser state and memos carry across batches).
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

import ingest
import logchain
from ingest.parsers import PARSERS, ParserOptions, get_parser
from ingest.synth import FORMATS, iter_lines, write_sample_logs
from ingest.synth.world import YEAR
from logchain.schema import DERIVED_COLUMNS, PARSER_COLUMNS
from logchain.segment import RecordBatch, build_table
from tests.ingest import parser_edge_lines as edges

REFERENCE_FILE = Path(__file__).with_name("parser_reference.json")
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
#: "Now" for BSD syslog year inference (the samples carry no year): 2026-11-25 UTC.
REFERENCE_NS = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp()) * 10**9
BATCHES = (1000, 4096)
COLUMNS = (*DERIVED_COLUMNS, *PARSER_COLUMNS)
SYNTH_SEEDS = (1, 7, 11)
SYNTH_RECORDS = 12_000
STREAM_SEED = 5
STREAM_RECORDS = 4_000
CROSS_LINES = 200

#: Real samples: key -> (path parts under shared/data, parser, zip member).
REAL: dict[str, tuple[tuple[str, ...], str, str | None]] = {
    "openssh": (("loghub", "OpenSSH", "OpenSSH_2k.log"), "rfc3164", None),
    "apache": (("loghub", "Apache", "Apache_2k.log"), "apache_error", None),
    "bgl": (("loghub", "BGL", "BGL_2k.log"), "bgl", None),
    "hdfs": (("loghub", "HDFS", "HDFS_2k.log"), "hdfs", None),
    "mac": (("loghub", "Mac", "Mac_2k.log"), "rfc3164", None),
    "auditd": (
        ("ait_lds_v2_russellmitchell_auditd", "russelmitchell_intranet_server_audit.log"),
        "auditd",
        None,
    ),
    "zeek_conn": (("otrf_apt29_day1_zeek", "SCRANTON_conn.log"), "zeek", None),
    "zeek_http": (("otrf_apt29_day1_zeek", "SCRANTON_http.log"), "zeek", None),
    "cloudtrail": (
        ("otrf_aws_s3_exfiltration", "ec2_proxy_s3_exfiltration.zip"),
        "json",
        "ec2_proxy_s3_exfiltration_2020-09-14011940.json",
    ),
    "tomcat": (
        (
            "evtx_attack_samples_tomcat_access",
            "web_attack_and_isp_webshell_localhost_access_log.txt",
        ),
        "access",
        None,
    ),
}
#: Zones that exercise offsets, DST and Lord Howe's half-hour shift.
ZONES = ("America/New_York", "Australia/Lord_Howe")


class MissingData(Exception):
    """A corpus needs ../shared/data, which this clone does not have."""


@dataclass(frozen=True)
class Corpus:
    key: str
    parser: str
    lines: Callable[[], list[bytes]]
    options: ParserOptions = field(default_factory=ParserOptions)


def split(data: bytes) -> list[bytes]:
    """Lines exactly as the tailer reads a whole file (a CR stays, a last partial line too)."""
    raw = data.split(b"\n")
    tail = raw.pop()  # b"" after a final newline, else the last line without its newline
    return [*raw, tail] if tail else raw


def real_lines(key: str) -> list[bytes]:
    parts, _, member = REAL[key]
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        raise MissingData(f"shared data {path} is absent")
    if member is None:
        return split(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        return split(archive.read(member))


_SYNTH: dict[int, dict[str, list[bytes]]] = {}


def synth_files(seed: int) -> dict[str, list[bytes]]:
    """The files of ``write_sample_logs`` for ``seed``, split as the tailer splits them."""
    if seed not in _SYNTH:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            paths = write_sample_logs(Path(tmp), records=SYNTH_RECORDS, seed=seed)
            _SYNTH[seed] = {p.name: split(p.read_bytes()) for p in paths}
    return _SYNTH[seed]


def cross_lines() -> list[bytes]:
    """The first lines of every real sample and generated file, one after the other."""
    out: list[bytes] = []
    for key in REAL:
        try:
            out += real_lines(key)[:CROSS_LINES]
        except MissingData:
            continue
    for lines in synth_files(SYNTH_SEEDS[0]).values():
        out += lines[:CROSS_LINES]
    return out


def edge_lines() -> list[bytes]:
    """Traps: bad UTF-8, CR, NUL, empty, long, and every sample line cut and spliced."""
    rng = random.Random(20260302)
    seeds = [lines[i] for lines in synth_files(SYNTH_SEEDS[1]).values() for i in (0, 9, 20)]
    for key in REAL:
        try:
            lines = real_lines(key)
        except MissingData:
            continue
        seeds += [lines[i] for i in (0, 1, 57, len(lines) // 2) if i < len(lines)]
    out = [b"", b" ", b"\r", b"\r\r", b"\x00", b"\xff\xfe", b"x" * 100_000, b"\t\t\t", b"{}"]
    out += [b"[]", b'"text"', b"1e400", b"123456789012345678901234567890", b'{"a":']
    for line in seeds:
        out += [line, line + b"\r", line + b"\r\r", line + b"\xc3", b"\xe2\x82" + line]
        for cut in sorted({rng.randrange(len(line) + 1) for _ in range(6)}):
            out.append(line[:cut])
            out.append(
                line[:cut] + rng.choice((b"\xff", b"\x00", b" ", b"\t", b'"', b"\\")) + line[cut:]
            )
    return out


def dst_syslog_lines() -> list[bytes]:
    """BSD syslog lines around DST changes, year ends and Feb 29 (for zone and year handling)."""
    out: list[bytes] = []
    starts = [
        (2026, 3, 29, 0), (2026, 10, 25, 0), (2026, 4, 5, 0),
        (2026, 10, 4, 0), (2026, 3, 8, 0), (2026, 11, 1, 0),
        (2025, 12, 30, 22), (2024, 2, 28, 23), (2026, 11, 25, 20),
        (2026, 11, 26, 23), (2026, 11, 27, 0),
    ]  # fmt: skip
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    for year, month, day, hour in starts:
        start = datetime(year, month, day, hour, tzinfo=UTC)  # read as wall-clock time below
        for step in range(0, 4 * 3600, 317):
            t = start + timedelta(seconds=step)
            stamp = f"{months[t.month - 1]} {t.day:2d} {t.strftime('%H:%M:%S')}"
            out.append(
                f"{stamp} host1 sshd[{step}]: Connection closed by 10.0.0.{step % 250}".encode()
            )
    out += [
        b"Feb 29 12:00:00 h app: leap",
        b"Feb 30 12:00:00 h app: bad day",
        b"Foo 10 10:00:00 h a: x",
    ]
    out += [b"Dec 10 24:00:00 h a: x", b"Dec 10 23:60:00 h a: x", b"Dec 10 23:59:60 h a: x"]
    out += [b"2026-03-29T01:30:00.123456+01:00 h a[1]: iso", b"2026-03-29T01:30:00Z h a: z"]
    return out


def epoch_json_lines() -> list[bytes]:
    """JSON and Zeek JSON lines with times of every spelling the parsers read."""
    values = ["1772409606", "1772409606.5", "1772409606.0000005", "1772409606123", "-1", "0",
              "1e20", "17724096061234567", "1772409606123456789", '"2026-03-02T00:00:00Z"',
              '"2026-03-02T00:00:00.1234567+02:00"', '"2026-03-02 00:00:00"', '"1772409606.25"',
              '"nope"', "true", "null", '""', "[1]"]  # fmt: skip
    out = []
    for v in values:
        out.append(f'{{"@timestamp": {v}, "user": "u", "message": "m"}}'.encode())
        out.append(f'{{"ts": {v}, "uid": "C1", "id.orig_h": "10.0.0.1", "id.orig_p": 1}}'.encode())
        out.append(f'{{"eventTime": {v}, "eventSource": "s3", "eventName": "Get"}}'.encode())
    return out


def _synth_file(seed: int, name: str) -> Callable[[], list[bytes]]:
    return lambda: synth_files(seed)[name]


def _streamed(name: str) -> Callable[[], list[bytes]]:
    return lambda: list(iter_lines(name, seed=STREAM_SEED, records=STREAM_RECORDS))


def _real_file(key: str) -> Callable[[], list[bytes]]:
    return lambda: real_lines(key)


def corpora() -> list[Corpus]:
    """Every corpus the test checks, by key (stable across runs)."""
    out: list[Corpus] = []
    year = ParserOptions(year=YEAR)
    infer = ParserOptions(reference_time_ns=REFERENCE_NS)
    for seed in SYNTH_SEEDS:
        for name, fmt in FORMATS.items():
            load = _synth_file(seed, name)
            out.append(Corpus(f"synth-{seed}-{name}", fmt, load, year))
            if fmt == "rfc3164" and seed == SYNTH_SEEDS[0]:
                out.append(Corpus(f"synth-{seed}-{name}-infer", fmt, load, infer))
    for name, fmt in FORMATS.items():
        out.append(Corpus(f"stream-{STREAM_SEED}-{name}", fmt, _streamed(name), year))
    for key, (_, fmt, _) in REAL.items():
        load = _real_file(key)
        out.append(Corpus(f"real-{key}", fmt, load, ParserOptions("UTC", None, REFERENCE_NS)))
        if fmt in ("rfc3164", "apache_error", "hdfs"):
            for zone in ZONES:
                options = ParserOptions(zone, None, REFERENCE_NS)
                out.append(Corpus(f"real-{key}-{zone}", fmt, load, options))
    for zone in ("UTC", "Europe/London", *ZONES):
        for options in (ParserOptions(zone, None, REFERENCE_NS), ParserOptions(zone, 2026, None)):
            tag = "infer" if options.year is None else "2026"
            out.append(Corpus(f"dst-{zone}-{tag}", "rfc3164", dst_syslog_lines, options))
    for parser in ("json", "zeek"):
        out.append(Corpus(f"epochs-{parser}", parser, epoch_json_lines))
    for parser in sorted(PARSERS):
        out.append(Corpus(f"cross-{parser}", parser, cross_lines, infer))
        out.append(Corpus(f"edge-{parser}", parser, edge_lines, infer))
        out.append(Corpus(f"cases-{parser}", parser, case_lines, infer))
    for parser, lines in _CASES.items():
        out.append(Corpus(f"cases-{parser}-own", parser, lines, infer))
    return out


_CASES: dict[str, Callable[[], list[bytes]]] = {
    "json": edges.json_lines,
    "access": edges.access_lines,
    "zeek": edges.zeek_lines,
    "rfc3164": edges.syslog_lines,
    "auditd": edges.audit_lines,
    "rfc5424": edges.rfc5424_lines,
}


def case_lines() -> list[bytes]:
    """Every hand-written case, one list after the other (for every parser)."""
    return [line for lines in _CASES.values() for line in lines()]


def parse_table(corpus: Corpus, lines: list[bytes], size: int) -> pa.Table:
    """``lines`` parsed by one fresh parser in batches of ``size``, as segment tables, joined.

    Each batch's output goes through ``build_table`` as the writer gets it, so whatever a parser
    returns (lists or Arrow arrays) is checked against the segment schema.
    """
    parser = get_parser(corpus.parser, corpus.options)
    tables = []
    for start in range(0, len(lines), size):
        chunk = lines[start : start + size]
        derived = parser.parse(chunk)
        assert set(derived) <= set(COLUMNS), f"unknown columns {set(derived) - set(COLUMNS)}"
        n = len(chunk)
        batch = RecordBatch(["s"] * n, [0] * n, list(range(n)), chunk, [0] * n, derived)
        tables.append(build_table(batch, first_index=start, ingest_time_ns=0))
    return pa.concat_tables(tables)


def digests(table: pa.Table) -> dict[str, str]:
    """Per column, a digest of its canonical stored values (see the module doc)."""
    out = {}
    for name in COLUMNS:
        column = table.column(name)
        # event_time as integer microseconds: exact, whatever the datetime's tzinfo object
        values = (column.cast(pa.int64()) if name == "event_time" else column).to_pylist()
        if name == "attrs":
            values = [None if v is None else json.loads(v) for v in values]
        text = json.dumps(values, ensure_ascii=False, sort_keys=True, default=repr)
        out[name] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return out


def canonical(corpus: Corpus) -> tuple[int, dict[str, str]]:
    """(line count, column digests) of ``corpus``; raises AssertionError if batch sizes differ."""
    lines = corpus.lines()
    results = [digests(parse_table(corpus, lines, size)) for size in BATCHES]
    for other in results[1:]:
        diff = [c for c in COLUMNS if other[c] != results[0][c]]
        assert not diff, f"{corpus.key}: batch size changes columns {diff}"
    return len(lines), results[0]


def summary(digest: dict[str, str]) -> dict[str, str]:
    """Compact stored form: one digest of all columns, plus 4 hex digits per column."""
    whole = hashlib.sha256("".join(digest[c] for c in COLUMNS).encode()).hexdigest()[:24]
    return {"all": whole, "columns": " ".join(digest[c][:4] for c in COLUMNS)}


def write_reference(commit: str) -> None:
    """Digest every corpus with the ``ingest`` package importable now (run it at ``commit``)."""
    if Path(ingest.__file__).resolve().parents[1] == Path(logchain.__file__).resolve().parents[1]:
        sys.exit(f"refusing to write: ingest comes from the checkout ({ingest.__file__})")
    entries = {}
    for corpus in corpora():
        try:
            n, digest = canonical(corpus)
        except MissingData:
            continue
        entries[corpus.key] = {"lines": n, **summary(digest)}
        sys.stderr.write(f"{corpus.key}: {n} lines\n")
    doc = {"parsers_at": commit, "column_order": " ".join(COLUMNS), "corpora": entries}
    REFERENCE_FILE.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        write_reference(sys.argv[2])
    else:
        sys.exit("usage: python -m tests.ingest.parser_equivalence --write COMMIT_OF_THE_PARSERS")
