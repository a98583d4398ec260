"""Regenerate (or check) the golden files of format v1.

    python -m tests.golden.make_golden            # check: recompute and compare, exit 1 on drift
    python -m tests.golden.make_golden --write    # rewrite vectors.json + FORMAT.md examples
    python -m tests.golden.make_golden --record-store   # record a new signed golden store

Deterministic files (vectors.json, the worked examples in docs/FORMAT.md) must never change for
format v1: a diff here means the format changed. The golden store is recorded once (its signatures
and timestamps are random and time-dependent) and then only verified.
"""

from __future__ import annotations

import argparse
import base64
import difflib
import json
import shutil
import sys
import tempfile
from pathlib import Path

from logchain import merkle
from logchain.record import Envelope, RecordFlag
from logchain.statement import (
    SealKind,
    SealStatement,
    SegmentSummary,
    SourceCheckpoint,
    statement_hash,
)
from logchain.types import ClockState

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VECTORS = HERE / "vectors.json"
FORMAT_MD = ROOT / "docs" / "FORMAT.md"
STORE = HERE / "store-v1"
EXPECTED_REPORT = HERE / "expected_verify.json"

#: Certificate Transparency's Merkle test leaves (RFC 6962 reference test data).
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]

#: Worked example records: every envelope feature in five lines of one file (CRLF line, invalid
#: UTF-8, a chunk of an over-long line without newline and its continuation).
EXAMPLE_LINES: list[tuple[bytes, RecordFlag, int]] = [
    (
        b"Jan  1 00:00:00 web01 sshd[811]: Failed password for root from 203.0.113.9 port 50022"
        b" ssh2",
        RecordFlag.NONE,
        1767225600_000000000,
    ),
    (
        b"Jan  1 00:00:01 web01 sudo: alice : TTY=pts/0 ; COMMAND=/bin/ls\r",
        RecordFlag.NONE,
        1767225600_000000000,
    ),
    (b"\xff\xfe binary \x00 bytes", RecordFlag.NONE, 1767225600_000000000),
    (b"AAAA", RecordFlag.NO_NEWLINE, 1767225601_000000000),
    (b"BB", RecordFlag.CONTINUATION, 1767225601_000000000),
]


def example_records() -> list[Envelope]:
    out, offset = [], 0
    for i, (raw, flags, ns) in enumerate(EXAMPLE_LINES):
        out.append(Envelope(i, ns, "auth", 1311, offset, raw, flags))
        offset += len(raw) + (0 if flags & RecordFlag.NO_NEWLINE else 1)
    return out


EXAMPLE_RECORDS = example_records()


def example_statement(root: bytes) -> SealStatement:
    return SealStatement(
        log_id="golden-v1",
        seal_index=2,
        kind=SealKind.SEGMENT,
        prev_statement_sha256="9f" * 32,
        sealed_at="2026-01-01T00:00:02.000000000Z",
        seal_interval_s=60,
        next_index=5,
        clock=ClockState(
            synchronised=True, source="adjtimex", max_error_us=16000, est_error_us=0, offset_us=0
        ),
        writer={"software": "logchain 0.1.0", "host": "web01"},
        segment=SegmentSummary(
            name="000000000002.parquet",
            sha256="5a" * 32,
            size=12345,
            first_index=0,
            count=5,
            root_hash=root.hex(),
            chunk_size=64,
            first_ingest_ns=1767225600_000000000,
            last_ingest_ns=1767225601_000000000,
            first_event="2026-01-01T00:00:00.000000Z",
            last_event="2026-01-01T00:00:01.000000Z",
        ),
        sources=(
            SourceCheckpoint(
                "auth",
                1311,
                EXAMPLE_RECORDS[-1].end_offset,
                device=2049,
                path="/var/log/auth.log",
                fingerprint="ab" * 32,
                fingerprint_len=1024,
            ),
        ),
        parsers={"syslog-rfc3164": "1"},
    )


def compute_vectors() -> dict[str, object]:
    """Everything deterministic about format v1, computed by the code under test."""
    ct = [merkle.hash_leaf(x) for x in CT_LEAVES]
    envs = [e.to_bytes() for e in EXAMPLE_RECORDS]
    leaves = [merkle.hash_leaf(b) for b in envs]
    root = merkle.root_hash(leaves)
    stmt = example_statement(root)
    payload = stmt.to_payload()
    pae = b"DSSEv1 %d %s %d %s" % (
        len(b"application/vnd.in-toto+json"),
        b"application/vnd.in-toto+json",
        len(payload),
        payload,
    )
    return {
        "format": "logchain/v1",
        "rfc6962": {
            "leaves_hex": [x.hex() for x in CT_LEAVES],
            "roots": {str(n): merkle.root_hash(ct[:n]).hex() for n in range(1, 9)},
            "inclusion_proofs": [
                {
                    "index": i,
                    "tree_size": n,
                    "path": [p.hex() for p in merkle.inclusion_proof(i, ct[:n])],
                }
                for i, n in [(0, 8), (5, 8), (2, 3), (1, 5), (4, 5), (0, 1)]
            ],
        },
        "records": [
            {"fields": e.to_json(), "envelope_hex": b.hex(), "leaf_hash": h.hex()}
            for e, b, h in zip(EXAMPLE_RECORDS, envs, leaves, strict=True)
        ],
        "tree": {
            "root_hash": root.hex(),
            "chunk_size_2_roots": [r.hex() for r in merkle.chunk_roots(leaves, 2)],
            "inclusion_proof_of_index_3": [p.hex() for p in merkle.inclusion_proof(3, leaves)],
        },
        "statement": {
            "payload": payload.decode(),
            "statement_sha256": statement_hash(payload).hex(),
            "dsse_pae_base64": base64.b64encode(pae).decode(),
        },
    }


# ---------------------------------------------------------------- FORMAT.md examples


def render_examples(v: dict[str, object]) -> dict[str, str]:
    """The text of each generated block in docs/FORMAT.md."""
    recs = v["records"]
    tree = v["tree"]
    st = v["statement"]
    assert isinstance(recs, list)
    assert isinstance(tree, dict)
    assert isinstance(st, dict)
    lines = []
    for r in recs:
        f = r["fields"]
        lines.append(
            f"index={f['index']} flags={f['flags']} ingest_time_ns={f['ingest_time_ns']} "
            f"source={f['source']!r} file_id={f['source_file_id']} offset={f['source_offset']}\n"
            f"  raw       {f['raw_hex']}\n"
            f"  envelope  {r['envelope_hex']}\n"
            f"  leaf hash {r['leaf_hash']}"
        )
    blocks = {
        "records": "\n".join(lines),
        "tree": (
            f"root_hash (5 leaves)          {tree['root_hash']}\n"
            + "".join(
                f"chunk root {i} (chunk_size 2)   {h}\n"
                for i, h in enumerate(tree["chunk_size_2_roots"])
            )
            + "audit path of index 3:\n"
            + "".join(f"  {h}\n" for h in tree["inclusion_proof_of_index_3"])
        ).rstrip("\n"),
        "statement": (
            f"{st['payload']}\n\nstatement hash (SHA-256 of the bytes above): "
            f"{st['statement_sha256']}"
        ),
    }
    return blocks


def apply_examples(text: str, blocks: dict[str, str]) -> str:
    for name, body in blocks.items():
        begin, end = f"<!-- golden:{name} -->", f"<!-- /golden:{name} -->"
        a, b = text.index(begin), text.index(end)
        text = text[: a + len(begin)] + f"\n```text\n{body}\n```\n" + text[b:]
    return text


# ---------------------------------------------------------------- golden store


def record_store() -> None:
    """Record a fresh signed golden store (keys and signatures are new each time)."""
    from logchain.cli.init import init_store
    from logchain.cli.wiring import store_sealer, store_verifier
    from logchain.clock import SystemClock
    from logchain.segment import RecordBatch
    from logchain.store import Store
    from logchain.verify import verify_log
    from logchain.writer import LogWriter

    with tempfile.TemporaryDirectory() as tmp:
        store = init_store(Path(tmp) / "store", seal_interval=60, log_id="golden-v1")
        writer = LogWriter(
            store, store_sealer(store), store_verifier(store), SystemClock(), command="make_golden"
        )
        with writer:
            e = EXAMPLE_RECORDS
            writer.append(
                RecordBatch(
                    source=[x.source for x in e],
                    source_file_id=[x.source_file_id for x in e],
                    source_offset=[x.source_offset for x in e],
                    raw=[x.raw for x in e],
                    flags=[int(x.flags) for x in e],
                    derived={
                        "message": [x.raw.decode("utf-8", "replace") for x in e],
                        "parser": ["generic"] * len(e),
                        "parser_version": ["1"] * len(e),
                    },
                )
            )
            writer.flush()
        report = verify_log(store, store_verifier(Store(store.root)), SystemClock())
        if STORE.exists():
            shutil.rmtree(STORE)
        shutil.copytree(
            store.root,
            STORE,
            ignore=shutil.ignore_patterns("private", "orphans", "inbox", "writer.lock"),
        )
    EXPECTED_REPORT.write_text(json.dumps(report_fields(report.to_json()), indent=2) + "\n")


def report_fields(doc: dict[str, object]) -> dict[str, object]:
    """The parts of a verify report that are stable for the recorded store."""
    keep = (
        "ok",
        "log_id",
        "seals",
        "segments",
        "records",
        "state",
        "time_assurance",
        "last_statement_sha256",
        "warnings",
        "errors",
    )
    return {k: doc[k] for k in keep}


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite deterministic golden files")
    ap.add_argument("--record-store", action="store_true", help="record a new golden store")
    args = ap.parse_args(argv)
    vectors = compute_vectors()
    text = json.dumps(vectors, indent=2) + "\n"
    doc = FORMAT_MD.read_text()
    new_doc = apply_examples(doc, render_examples(vectors))
    if args.record_store:
        record_store()
    if args.write:
        VECTORS.write_text(text)
        FORMAT_MD.write_text(new_doc)
        return 0
    drift = []
    if not VECTORS.exists() or VECTORS.read_text() != text:
        drift.append(
            ("tests/golden/vectors.json", VECTORS.read_text() if VECTORS.exists() else "", text)
        )
    if new_doc != doc:
        drift.append(("docs/FORMAT.md", doc, new_doc))
    for name, old, new in drift:
        sys.stdout.writelines(
            difflib.unified_diff(
                old.splitlines(True),
                new.splitlines(True),
                f"{name} (committed)",
                f"{name} (computed)",
            )
        )
    return 1 if drift else 0


if __name__ == "__main__":
    sys.exit(main())
