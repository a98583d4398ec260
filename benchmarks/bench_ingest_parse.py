"""Parse throughput per format, against reading the same lines into a pyarrow array.

Each format has a ``bench_parse_*`` and the module has ``bench_reference_arrow_*``: the ratio
parse time / reference time is the figure to compare across machines (records/s of both are in
``extra_info``). Data: the seeded generator (realistic, non-repeating lines) and the real samples
in ../shared/data. Lines are parsed in batches of BATCH, a fresh parser per round (its memos
start empty), as the tailer would feed one file.

Also measured here, for the choice of engine: splitting BSD syslog headers with one Python
``re.findall`` over the batch (what the parser does) against RE2 via pyarrow.compute.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ingest.parsers import Parser, ParserOptions, get_parser
from ingest.parsers.rfc3164 import split_headers
from ingest.synth import iter_lines
from ingest.synth.world import YEAR

BATCH = 8192
SIZES = [1_000, 100_000]
#: (parser, generated file) pairs measured on generated data.
GENERATED = [
    ("rfc3164", "auth.log"),
    ("auditd", "audit.log"),
    ("json", "edr.jsonl"),
    ("access", "access.log"),
    ("zeek", "conn.log"),
]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
#: (parser, sample path under shared/data) measured on real lines.
REAL = [
    ("rfc3164", "loghub/OpenSSH/OpenSSH_2k.log"),
    ("rfc3164", "loghub/Mac/Mac_2k.log"),
    ("apache_error", "loghub/Apache/Apache_2k.log"),
    ("bgl", "loghub/BGL/BGL_2k.log"),
    ("hdfs", "loghub/HDFS/HDFS_2k.log"),
    (
        "access",
        "evtx_attack_samples_tomcat_access/web_attack_and_isp_webshell_localhost_access_log.txt",
    ),
    ("auditd", "ait_lds_v2_russellmitchell_auditd/russelmitchell_intranet_server_audit.log"),
]
SYSLOG_HEADER_RE2 = (
    r"^(?:<(?P<pri>\d{1,3})>)?(?P<ts>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (?P<host>\S+) "
    r"(?P<app>[^ \[:]+)(?:\[(?P<pid>\d+)\])?: (?P<msg>.*)$"
)


@pytest.fixture(scope="module")
def corpus() -> dict[tuple[str, int], list[bytes]]:
    """Generated lines by (file, size), made once per module run (generation is slow)."""
    return {}


def generated(corpus: dict[tuple[str, int], list[bytes]], name: str, n: int) -> list[bytes]:
    key = (name, n)
    if key not in corpus:
        corpus[key] = list(iter_lines(name, seed=1, records=n))
    return corpus[key]


def real(path: str) -> list[bytes]:
    file = SHARED / path
    if not file.exists():
        pytest.skip(f"shared data {file} is absent")
    lines = file.read_bytes().split(b"\n")
    return lines if lines[-1] else lines[:-1]


def parse_all(parser: Parser, lines: list[bytes]) -> int:
    rows = 0
    for start in range(0, len(lines), BATCH):
        rows += len(parser.parse(lines[start : start + BATCH])["parser"])
    return rows


def run_parse(benchmark, fmt: str, lines: list[bytes], rounds: int) -> None:
    def setup():
        return (get_parser(fmt, ParserOptions(year=YEAR)), lines), {}

    rows = benchmark.pedantic(parse_all, setup=setup, rounds=rounds, iterations=1)
    assert rows == len(lines)
    benchmark.extra_info["records"] = len(lines)
    benchmark.extra_info["format"] = fmt


def run_reference(benchmark, lines: list[bytes], rounds: int) -> None:
    data = b"\n".join(lines) + b"\n"

    def read() -> int:
        return len(pa.array(data.split(b"\n")[:-1], pa.binary()))

    assert benchmark.pedantic(read, rounds=rounds, iterations=1) == len(lines)
    benchmark.extra_info["records"] = len(lines)


@pytest.mark.benchmark(group="ingest_parse")
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize(("fmt", "name"), GENERATED)
def bench_parse_generated(benchmark, corpus, fmt, name, n):
    """Parse n generated lines of one format."""
    run_parse(benchmark, fmt, generated(corpus, name, n), rounds=5 if n < 10_000 else 3)


@pytest.mark.benchmark(group="ingest_parse")
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize(("fmt", "name"), GENERATED)
def bench_reference_arrow_generated(benchmark, corpus, fmt, name, n):
    """Reference: the same generated lines split and read into a pyarrow binary array."""
    run_reference(benchmark, generated(corpus, name, n), rounds=5)


@pytest.mark.benchmark(group="ingest_parse_real")
@pytest.mark.parametrize(("fmt", "path"), REAL)
def bench_parse_real(benchmark, fmt, path):
    """Parse one real sample (a few thousand lines)."""
    run_parse(benchmark, fmt, real(path), rounds=5)


@pytest.mark.benchmark(group="ingest_parse_real")
@pytest.mark.parametrize(("fmt", "path"), REAL)
def bench_reference_arrow_real(benchmark, fmt, path):
    """Reference: the same real sample read into a pyarrow binary array."""
    run_reference(benchmark, real(path), rounds=5)


@pytest.mark.benchmark(group="syslog_header_engine")
def bench_syslog_header_python_findall(benchmark, corpus):
    """The parser's header split: one re.findall per batch of decoded text."""
    lines = generated(corpus, "auth.log", 100_000)
    batches = [lines[i : i + BATCH] for i in range(0, len(lines), BATCH)]
    count = benchmark.pedantic(
        lambda: sum(len(split_headers(b)[0]) for b in batches), rounds=3, iterations=1
    )
    assert count == len(lines)
    benchmark.extra_info["records"] = len(lines)


@pytest.mark.benchmark(group="syslog_header_engine")
def bench_syslog_header_arrow_re2(benchmark, corpus):
    """The alternative: RE2 (pyarrow.compute.extract_regex) over an Arrow string array."""
    lines = generated(corpus, "auth.log", 100_000)
    batches = [lines[i : i + BATCH] for i in range(0, len(lines), BATCH)]

    def split() -> int:
        total = 0
        for batch in batches:
            text = pa.array(batch, pa.binary()).cast(pa.string())
            total += len(pc.extract_regex(text, SYSLOG_HEADER_RE2))
        return total

    assert benchmark.pedantic(split, rounds=3, iterations=1) == len(lines)
    benchmark.extra_info["records"] = len(lines)
