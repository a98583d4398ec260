"""`logchain verify` end to end: exit 0, exit 1 with the precise message, the --json schema."""

from __future__ import annotations

import re

from tests.e2e.conftest import flip_raw_byte

REPORT_TYPES = {
    "ok": bool,
    "store": str,
    "log_id": str,
    "seals": int,
    "segments": int,
    "records": int,
    "bytes": int,
    "first_time": str,
    "last_time": str,
    "state": str,
    "signers": list,
    "timestamp_authorities": list,
    "time_assurance": str,
    "last_statement_sha256": str,
    "warnings": list,
    "errors": list,
    "hash_backend": str,
}


class TestVerifyCommand:
    def test_intact_store_exits_0(self, ingested, run):
        """A store written by `logchain ingest` verifies: exit 0 and a summary on stdout."""
        store, _ = ingested
        res = run("verify", "--store", store)
        assert res.code == 0
        # 50 lines, writer_opened, file_opened, writer_closed
        assert res.out.startswith("OK: 53 records in 1 segments, 4 seals verified")
        assert "self-timestamped" in res.out

    def test_json_report_schema(self, ingested, run):
        """--json prints every documented field with its type."""
        store, _ = ingested
        res = run("verify", "--store", store, "--json", "--single-thread")
        assert res.code == 0
        doc = res.json()
        assert set(doc) == set(REPORT_TYPES)
        for key, typ in REPORT_TYPES.items():
            assert isinstance(doc[key], typ), key
        assert doc["ok"] is True
        assert doc["state"] == "closed"
        assert doc["time_assurance"] == "self-timestamped"
        assert doc["timestamp_authorities"][0]["self_timestamped"] is True
        assert re.fullmatch(r"[0-9a-f]{64}", doc["last_statement_sha256"])

    def test_tampered_store_exits_1_with_the_record(self, ingested, run):
        """One flipped bit in a sealed record: exit 1; stderr names seal, segment and records."""
        store, _ = ingested
        flip_raw_byte(store, 2, 10)
        res = run("verify", "--store", store)
        assert res.code == 1
        assert re.search(
            r"RootMismatch: seal 2: segment 000000000002\.parquet: Merkle root mismatch, a record "
            r"in 0\.\.52 was altered \(sealed root [0-9a-f]{64}, calculated [0-9a-f]{64}\)",
            res.err,
        )
        assert "Next step:" in res.err

    def test_tampered_store_json(self, ingested, run):
        """With --json a failed verification still prints the report, with the error as data."""
        store, _ = ingested
        flip_raw_byte(store, 2, 10)
        res = run("verify", "--store", store, "--json")
        assert res.code == 1
        doc = res.json()
        assert doc["ok"] is False
        (error,) = doc["errors"]
        assert (error["error"], error["seal_index"]) == ("RootMismatch", 2)
        assert error["first_index"] <= 10 <= error["last_index"]
