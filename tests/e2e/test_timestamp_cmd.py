"""`logchain timestamp`: anchoring existing seals with tokens from another TSA over HTTP."""

from __future__ import annotations

import json

import pytest

from logchain.cli.init import init_store
from logchain.cli.wiring import store_verifier
from logchain.clock import SystemClock
from logchain.store import Store
from logchain.verify import verify_log
from sealing.provision import TSA_DIR
from sealing.tsa import OpenSSLTsa
from tests.unit.sealing import loopback


@pytest.fixture
def external_tsa(tmp_path):
    """Another store's real OpenSSL TSA served over HTTP on 127.0.0.1, and its PEM chain."""
    other = init_store(tmp_path / "external")
    tsa_dir = other.private_dir / TSA_DIR
    chain = tmp_path / "external-chain.pem"
    chain.write_bytes((tsa_dir / "tsa.pem").read_bytes() + (tsa_dir / "ca.pem").read_bytes())
    server = loopback.LoopbackTsa(loopback.honest(OpenSSLTsa(tsa_dir)))
    yield server, chain
    server.close()


def tokens(store, seal_index) -> int:
    doc = json.loads((store / "seals" / f"{seal_index:012d}.sigstore.json").read_text())
    return len(doc["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"])


class TestTimestampCommand:
    def test_anchor_every_seal(self, ingested, external_tsa, run):
        """Every seal gains a token from the external TSA; the chain and segments still verify."""
        store, _ = ingested
        server, chain = external_tsa
        res = run(
            "timestamp",
            "--store",
            store,
            "--tsa",
            server.url,
            "--tsa-chain",
            chain,
            "--name",
            "external-tsa",
            "--json",
        )
        assert res.code == 0, res.err
        assert res.json()["seals_timestamped"] == [0, 1, 2, 3]
        assert [tokens(store, i) for i in range(4)] == [2, 2, 2, 2]
        report = verify_log(Store(store), store_verifier(Store(store)), SystemClock())
        assert report.records == 53  # 50 lines, writer_opened, file_opened, writer_closed
        assert report.tsas["external-tsa"] is False  # an external, not self-timestamped, TSA
        assert report.to_json()["time_assurance"] == "external TSA"

    def test_running_again_adds_nothing(self, ingested, external_tsa, run):
        """A second run finds a token from that TSA on every seal and changes no file."""
        store, _ = ingested
        server, chain = external_tsa
        args = ["timestamp", "--store", store, "--tsa", server.url, "--tsa-chain", chain]
        assert run(*args).code == 0
        before = {p.name: p.read_bytes() for p in (store / "seals").iterdir()}
        res = run(*args, "--json")
        assert res.json()["seals_timestamped"] == []
        assert {p.name: p.read_bytes() for p in (store / "seals").iterdir()} == before

    def test_untrusted_tsa_is_refused(self, ingested, external_tsa, run):
        """Without --tsa-chain the new token cannot verify: exit 2, no seal is changed."""
        store, _ = ingested
        server, _ = external_tsa
        before = {p.name: p.read_bytes() for p in (store / "seals").iterdir()}
        res = run("timestamp", "--store", store, "--tsa", server.url)
        assert res.code == 2
        assert "does not verify against the trusted root" in res.err
        assert "--tsa-chain" in res.err
        assert {p.name: p.read_bytes() for p in (store / "seals").iterdir()} == before

    def test_the_anchoring_is_itself_recorded(self, ingested, external_tsa, run):
        """The timestamp run leaves an inbox event that the next writer session seals."""
        store, log = ingested
        server, chain = external_tsa
        assert (
            run("timestamp", "--store", store, "--tsa", server.url, "--tsa-chain", chain).code == 0
        )
        assert run("ingest", "--store", store, log).code == 0
        res = run(
            "sql",
            "--store",
            store,
            "SELECT raw FROM records WHERE event_type = 'seals_timestamped'",
            "--format",
            "json",
        )
        (row,) = [json.loads(line) for line in res.out.splitlines()]
        event = json.loads(row["raw"])
        assert event["seals"] == [0, 1, 2, 3]
