"""Tools to make adversarial stores: rewritten segments, re-signed and re-timestamped seals."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from asn1crypto import keys as a_keys
from asn1crypto import tsp as a_tsp
from asn1crypto import x509 as a_x509
from certomancer.services import TimeStamper
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

from logchain.clock import FixedClock
from logchain.store import Store
from logchain.types import parse_rfc3339
from sealing.bundle import INTOTO, make_bundle, pae
from sealing.keys import load_key
from sealing.provision import SIGNING_KEY, TSA_DIR
from sealing.trust import key_hint
from sealing.tsa import OpenSSLTsa, request_timestamp
from tests.conftest import MakeLog


@pytest.fixture
def sealed(make_log: MakeLog) -> Store:
    """A closed store: seal 0 genesis, 1 open, 2-4 segments of ~100 records, 5 one, 6 close."""
    return make_log(300, segments=3)


def rewrite_segment(store: Store, seal_index: int, change: Callable[[pa.Table], pa.Table]) -> None:
    """Rewrite a sealed segment in place as an attacker would (pyarrow, same footer metadata)."""
    path = store.segment_path(seal_index)
    table = pq.read_table(path)
    footer = pq.read_metadata(path).metadata or {}
    meta = {k: v for k, v in footer.items() if k.startswith(b"logchain.")}
    table = change(table).replace_schema_metadata(meta)
    path.chmod(0o644)
    pq.write_table(table, path, compression="zstd")


def rows(table: pa.Table, order: list[int]) -> pa.Table:
    return table.take(pa.array(order))


def bundle_doc(store: Store, seal_index: int) -> dict:
    return json.loads(store.seal_path(seal_index).read_text())


def write_bundle(store: Store, seal_index: int, doc: dict | bytes) -> None:
    path = store.seal_path(seal_index)
    if path.exists():
        path.chmod(0o644)
    path.write_bytes(doc if isinstance(doc, bytes) else json.dumps(doc).encode())


def payload_of(store: Store, seal_index: int) -> bytes:
    return base64.b64decode(bundle_doc(store, seal_index)["dsseEnvelope"]["payload"])


def sign_and_stamp(
    store: Store, payload: bytes, key: ec.EllipticCurvePrivateKey, tsa_store: Store | None = None
) -> bytes:
    """A bundle over ``payload`` signed by ``key`` and stamped by a store's real local TSA."""
    signature = key.sign(pae(INTOTO, payload), ec.ECDSA(hashes.SHA256()))
    tsa = OpenSSLTsa((tsa_store or store).private_dir / TSA_DIR)
    token = request_timestamp(signature, tsa, tsa="local")
    return make_bundle(payload, signature, key_hint(key.public_key()), [token.der])


def store_key(store: Store) -> ec.EllipticCurvePrivateKey:
    return load_key(store.private_dir / SIGNING_KEY)


def backdated_bundle(store: Store, payload: bytes, when: datetime) -> bytes:
    """Sign ``payload`` with the store's key and stamp it with the store's own TSA key, but with a
    genTime of ``when`` (certomancer's fixed clock): what a TSA with a wrong clock would issue."""
    key = store_key(store)
    signature = key.sign(pae(INTOTO, payload), ec.ECDSA(hashes.SHA256()))
    tsa_dir = store.private_dir / TSA_DIR
    cert = a_x509.Certificate.load(
        _der(serialization.load_pem_public_key, tsa_dir / "tsa.pem", cert=True)
    )
    tsa_key = serialization.load_pem_private_key((tsa_dir / "tsa.key").read_bytes(), None)
    pkinfo = a_keys.PrivateKeyInfo.load(
        tsa_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    stamper = TimeStamper(tsa_cert=cert, tsa_key=pkinfo, fixed_dt=when)
    req = (
        TimestampRequestBuilder()
        .data(signature)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    der = stamper.request_tsa_response(a_tsp.TimeStampReq.load(req.as_bytes())).dump()
    return make_bundle(payload, signature, key_hint(key.public_key()), [der])


def _der(_loader, path: Path, *, cert: bool) -> bytes:
    from cryptography import x509

    return x509.load_pem_x509_certificate(path.read_bytes()).public_bytes(
        serialization.Encoding.DER
    )


def sealed_at(store: Store, seal_index: int) -> datetime:
    pred = json.loads(payload_of(store, seal_index))["predicate"]
    return parse_rfc3339(pred["sealed_at"])


def clock_at(when: datetime) -> FixedClock:
    return FixedClock(int(when.timestamp() * 1e9))
