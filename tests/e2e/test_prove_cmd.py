"""`logchain prove` and `logchain verify-proof`: offline with only the proof and the trust dir."""

from __future__ import annotations

import json
import shutil

import pytest


@pytest.fixture
def proof_and_trust(ingested, run, tmp_path):
    """A proof of record 7 and a copy of the trust dir, with the store itself removed."""
    store, _ = ingested
    res = run("prove", "--store", store, 7, "-o", tmp_path / "proof.json")
    assert res.code == 0
    trust = tmp_path / "evidence" / "trust"
    shutil.copytree(store / "trust", trust)
    shutil.rmtree(store)  # the verifier has only the proof and the trust material
    return tmp_path / "proof.json", trust


class TestProve:
    def test_prove_prints_a_proof(self, ingested, run):
        """prove without -o prints the proof JSON: envelope, leaf hash, audit path, seal."""
        store, _ = ingested
        res = run("prove", "--store", store, 3)
        assert res.code == 0
        doc = res.json()
        assert doc["format"] == "logchain/v1/inclusion-proof"
        assert doc["index"] == 3
        # record 0 is writer_opened, 1 the file's file_opened, 2.. its lines
        assert bytes.fromhex(doc["envelope"]["raw_hex"]).startswith(b"Nov 25 10:00:01 web01")
        assert len(doc["audit_path"]) == 6  # a segment of 53 records is 6 levels deep
        assert doc["seal_bundle"]["mediaType"].startswith("application/vnd.dev.sigstore.bundle")

    def test_unknown_record_is_a_usage_error(self, ingested, run):
        """Asking for a record that no segment holds exits 2 and says how records are numbered."""
        store, _ = ingested
        res = run("prove", "--store", store, 10_000)
        assert res.code == 2
        assert "no sealed segment holds record 10000" in res.err


class TestVerifyProof:
    def test_offline_verification(self, proof_and_trust, run):
        """The proof verifies with only the trust directory, the store being gone."""
        proof, trust = proof_and_trust
        res = run("verify-proof", proof, "--trust", trust)
        assert res.code == 0
        assert res.out.startswith("OK: record 7 is in the segment sealed by seal 2")

    def test_json_result(self, proof_and_trust, run):
        """--json gives the record, its seal, the statement hash and the raw bytes."""
        proof, trust = proof_and_trust
        res = run("verify-proof", proof, "--trust", trust, "--json")
        doc = res.json()
        assert (res.code, doc["ok"], doc["index"], doc["seal_index"]) == (0, True, 7, 2)
        assert bytes.fromhex(doc["raw_hex"]).startswith(b"Nov 25 10:00:05 web01")

    @pytest.mark.parametrize(
        ("mutate", "message"),
        [
            (lambda d: d["audit_path"].__setitem__(0, "00" * 32), "the path leads to root"),
            (lambda d: d.__setitem__("leaf_index", 8), "is not at position 8"),
            (lambda d: d["audit_path"].pop(), "audit path is shorter than the tree is deep"),
            (lambda d: d.__setitem__("root_hash", "11" * 32), "root or tree size differ"),
        ],
        ids=["path-node", "leaf-index", "short-path", "root"],
    )
    def test_mutated_proof_exits_1(self, proof_and_trust, run, mutate, message):
        """A proof with any field changed fails with exit 1 and says what does not hold."""
        proof, trust = proof_and_trust
        doc = json.loads(proof.read_text())
        mutate(doc)
        proof.write_text(json.dumps(doc))
        res = run("verify-proof", proof, "--trust", trust)
        assert res.code == 1
        assert "ProofInvalid: inclusion proof invalid" in res.err
        assert message in res.err

    def test_changed_raw_bytes_exit_1(self, proof_and_trust, run):
        """Editing the record's raw bytes (both encodings alike) breaks the path to the root."""
        import base64

        from logchain.record import Envelope

        proof, trust = proof_and_trust
        doc = json.loads(proof.read_text())
        env = Envelope.from_json(doc["envelope"])
        forged = Envelope(
            env.index,
            env.ingest_time_ns,
            env.source,
            env.source_file_id,
            env.source_offset,
            env.raw.replace(b"Accepted", b"Rejected"),
            env.flags,
        )
        doc["envelope"] = forged.to_json()
        doc["envelope_base64"] = base64.b64encode(forged.to_bytes()).decode()
        proof.write_text(json.dumps(doc))
        res = run("verify-proof", proof, "--trust", trust)
        assert res.code == 1
        assert "the path leads to root" in res.err
