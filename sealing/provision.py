"""Embedded default trust set-up for `logchain init`: a local signing key and a local TSA.

Writes, under the store:

* ``private/signing-key.pem`` -- ECDSA P-256, PKCS#8, mode 0600 (encrypted with a passphrase);
* ``private/tsa/`` -- the local TSA's key, certificate, CA certificate and OpenSSL config. The CA
  key is discarded once the TSA certificate is issued, so no second TSA can be minted from it;
* ``trust/keyring.json`` and ``trust/trusted_root.json`` -- the public trust material a
  verifier needs.

Timestamps from this TSA are labelled "self-timestamped": they prove order and integrity against
this host's clock, not independent time. Add an external TSA for that.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from sealing.keys import generate_key, save_key, write_private
from sealing.pki import make_ca, make_tsa_leaf
from sealing.trust import (
    LOCAL_TSA_URI_PREFIX,
    ROLE_SEAL,
    ROLE_THRESHOLD_ADMIN,
    Keyring,
    TimestampAuthority,
    TrustedRoot,
    Validity,
)
from sealing.tsa import write_openssl_config

SIGNING_KEY = "signing-key.pem"
TSA_DIR = "tsa"


@dataclass(frozen=True, slots=True)
class LocalTrust:
    key_path: Path
    tsa_dir: Path
    key_id: str


def provision_local(
    private_dir: Path, trust_dir: Path, *, log_id: str, now: datetime
) -> LocalTrust:
    """Create the local key, local TSA and trust files. Raises StorageError if any exist."""
    start = now - timedelta(minutes=5)
    key = generate_key()
    key_path = private_dir / SIGNING_KEY
    save_key(key, key_path)

    tsa_dir = private_dir / TSA_DIR
    tsa_dir.mkdir(mode=0o700)
    ca_key, ca_cert = make_ca(f"logchain local TSA CA {log_id}", now)
    tsa_key, tsa_cert = make_tsa_leaf(f"logchain local TSA {log_id}", ca_key, ca_cert, now)
    del ca_key  # never stored: the CA can issue nothing more
    write_private(
        tsa_dir / "tsa.key",
        tsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    (tsa_dir / "tsa.pem").write_bytes(tsa_cert.public_bytes(serialization.Encoding.PEM))
    (tsa_dir / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    policy = f"2.25.{uuid.uuid4().int}"  # ITU-T X.667 UUID OID: unique without a registered arc
    write_openssl_config(tsa_dir, policy)

    keyring = Keyring()
    hint = keyring.add(key.public_key(), Validity(start), [ROLE_SEAL, ROLE_THRESHOLD_ADMIN])
    keyring.save(trust_dir / "keyring.json")
    root = TrustedRoot(
        [
            TimestampAuthority(
                name=f"logchain local TSA {log_id}",
                uri=f"{LOCAL_TSA_URI_PREFIX}{log_id}",
                chain=(tsa_cert, ca_cert),
                valid_for=Validity(start),
            )
        ]
    )
    root.save(trust_dir / "trusted_root.json")
    return LocalTrust(key_path=key_path, tsa_dir=tsa_dir, key_id=hint)
