"""Sealing adapters: signing seal statements and RFC 3161 time-stamping, and verifying both.

Offline by default: a local ECDSA P-256 key and a local OpenSSL TSA; optionally HTTP TSAs and
keyless Sigstore signing. Verification uses only pinned trust material::

    from pathlib import Path
    from sealing.verifier import BundleVerifier

    verifier = BundleVerifier.from_trust_dir(Path("store/trust"))
    seal = verifier.verify(Path("store/seals/000000000000.sigstore.json").read_bytes())
    print(seal.key_id, [t.gen_time for t in seal.timestamps])
"""
