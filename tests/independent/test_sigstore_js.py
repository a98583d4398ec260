"""sigstore-js (@sigstore/verify 3 on Node 20) judges logchain seal bundles independently.

Every seal bundle of a real store must pass; every adversarial bundle from the tamper cases that
sigstore-js can judge (it checks signature, key, RFC 3161 timestamps; not our chain or segments)
must fail there too. Each adversarial bundle's docstring says how it was made.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from logchain.cli.init import init_store
from logchain.errors import TimestampInvalid
from logchain.store import Store
from sealing.keys import generate_key
from sealing.trust import Keyring, TrustedRoot
from sealing.verifier import BundleVerifier
from tests.independent.conftest import run_sigstore_js
from tests.tamper.conftest import bundle_doc, payload_of, sign_and_stamp, store_key

SEG = 3


def resigned_with_unknown_key(store: Store, tmp: Path) -> bytes:
    """Seal 3's statement re-signed (and re-timestamped) with a key that is not in the keyring."""
    return sign_and_stamp(store, payload_of(store, SEG), generate_key())


def transplanted_timestamp(store: Store, tmp: Path) -> bytes:
    """Seal 3 carrying seal 2's timestamp token, which is over a different signature."""
    doc = bundle_doc(store, SEG)
    doc["verificationMaterial"]["timestampVerificationData"] = bundle_doc(store, 2)[
        "verificationMaterial"
    ]["timestampVerificationData"]
    return json.dumps(doc).encode()


def tsa_not_in_trusted_root(store: Store, tmp: Path) -> bytes:
    """Seal 3 re-signed with the store's key and stamped by another store's local TSA."""
    other = init_store(tmp / "other-tsa")
    return sign_and_stamp(store, payload_of(store, SEG), store_key(store), other)


def tampered_statement(store: Store, tmp: Path) -> bytes:
    """Seal 3's signed statement edited (record count 80 -> 79), signature left as it was."""
    doc = bundle_doc(store, SEG)
    payload = base64.b64decode(doc["dsseEnvelope"]["payload"])
    edited = payload.replace(b'"count":80', b'"count":79')
    assert edited != payload
    doc["dsseEnvelope"]["payload"] = base64.b64encode(edited).decode()
    return json.dumps(doc).encode()


ATTACKS = [resigned_with_unknown_key, transplanted_timestamp, tsa_not_in_trusted_root]


class TestSigstoreJs:
    def test_every_seal_of_a_real_store_passes(self, sigstore_js, real_store):
        """sigstore-js accepts each seal bundle against the store's keyring and trusted root."""
        seals, _ = real_store.seal_files()
        verdicts = run_sigstore_js(sigstore_js, real_store.trust_dir, list(seals.values()))
        assert len(verdicts) == len(seals) >= 6
        for path in seals.values():
            v = verdicts[str(path)]
            assert v["ok"] is True, f"{path.name}: {v.get('error')}"
            assert len(v["times"]) == 1  # the local TSA's token was the source of time

    @pytest.mark.parametrize(
        "make", [*ATTACKS, tampered_statement], ids=lambda f: f.__name__.replace("_", "-")
    )
    def test_adversarial_bundle_fails(self, sigstore_js, real_store, tmp_path, make):
        """An adversarial bundle from the tamper suite is rejected by sigstore-js as well."""
        bad = tmp_path / f"{make.__name__}.sigstore.json"
        bad.write_bytes(make(real_store, tmp_path))
        good = real_store.seal_path(SEG)
        verdicts = run_sigstore_js(sigstore_js, real_store.trust_dir, [good, bad])
        assert verdicts[str(good)]["ok"] is True
        assert verdicts[str(bad)]["ok"] is False
        expected = {
            "resigned_with_unknown_key": "PUBLIC_KEY_ERROR: key not found",
            "transplanted_timestamp": "TIMESTAMP_ERROR",
            "tsa_not_in_trusted_root": "TIMESTAMP_ERROR",
            "tampered_statement": "SIGNATURE_ERROR",
        }[make.__name__]
        assert expected in str(verdicts[str(bad)]["error"])

    def test_wrong_trusted_root_fails(self, sigstore_js, real_store, tmp_path):
        """The store's genuine seals checked against another store's trusted root all fail."""
        other = init_store(tmp_path / "other")
        seals, _ = real_store.seal_files()
        verdicts = run_sigstore_js(
            sigstore_js,
            real_store.trust_dir,
            list(seals.values()),
            trusted_root=other.trusted_root_path,
        )
        assert all(v["ok"] is False for v in verdicts.values())
        assert all("TIMESTAMP_ERROR" in str(v["error"]) for v in verdicts.values())


class TestAnchoredSeals:
    def test_anchored_seals_pass_with_the_updated_root(self, sigstore_js, real_store, tmp_path):
        """After `logchain timestamp` every seal (two tokens) passes in sigstore-js; with the
        trusted root from before, sigstore-js and our verifier both refuse the unknown token."""
        from logchain.cli import main
        from sealing.provision import TSA_DIR
        from sealing.tsa import OpenSSLTsa
        from tests.unit.sealing import loopback

        old_root = tmp_path / "trusted_root.before.json"
        old_root.write_bytes(real_store.trusted_root_path.read_bytes())
        other = init_store(tmp_path / "external")
        tsa_dir = other.private_dir / TSA_DIR
        chain = tmp_path / "chain.pem"
        chain.write_bytes((tsa_dir / "tsa.pem").read_bytes() + (tsa_dir / "ca.pem").read_bytes())
        server = loopback.LoopbackTsa(loopback.honest(OpenSSLTsa(tsa_dir)))
        try:
            args = ["timestamp", "--store", str(real_store.root), "--tsa", server.url]
            assert main([*args, "--tsa-chain", str(chain)]) == 0
        finally:
            server.close()
        seals, _ = real_store.seal_files()
        verdicts = run_sigstore_js(sigstore_js, real_store.trust_dir, list(seals.values()))
        for path in seals.values():
            v = verdicts[str(path)]
            assert v["ok"] is True, f"{path.name}: {v.get('error')}"
            assert len(v["times"]) == 2
        stale = run_sigstore_js(
            sigstore_js, real_store.trust_dir, list(seals.values()), trusted_root=old_root
        )
        assert all(v["ok"] is False for v in stale.values())
        assert all("TIMESTAMP_ERROR" in str(v["error"]) for v in stale.values())
        stale_verifier = BundleVerifier(
            Keyring.load(real_store.keyring_path), TrustedRoot.load(old_root)
        )
        with pytest.raises(TimestampInvalid, match="token 1 does not verify"):
            stale_verifier.verify(real_store.seal_path(2).read_bytes(), seal_index=2)
