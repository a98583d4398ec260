"""Sigstore bundle v0.3 with a DSSE envelope: building and strict parsing.

::

    {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
     "verificationMaterial": {"publicKey": {"hint": HINT}, "tlogEntries": [],
         "timestampVerificationData": {"rfc3161Timestamps": [{"signedTimestamp": B64(DER)}]}},
     "dsseEnvelope": {"payload": B64(statement), "payloadType": "application/vnd.in-toto+json",
                      "signatures": [{"sig": B64(ECDSA-P256-SHA256(PAE)), "keyid": ""}]}}
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass

from logchain.errors import SealInvalid
from sealing.trust import b64, unb64

BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
INTOTO = "application/vnd.in-toto+json"
MAX_TIMESTAMPS = 32  # the same cap sigstore-python and sigstore-go apply


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: what the signature covers."""
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def make_bundle(payload: bytes, signature: bytes, hint: str, tokens: Sequence[bytes]) -> bytes:
    doc = {
        "mediaType": BUNDLE_V03,
        "verificationMaterial": {
            "publicKey": {"hint": hint},
            "tlogEntries": [],
            "timestampVerificationData": {
                "rfc3161Timestamps": [{"signedTimestamp": b64(t)} for t in tokens]
            },
        },
        "dsseEnvelope": {
            "payload": b64(payload),
            "payloadType": INTOTO,
            "signatures": [{"sig": b64(signature), "keyid": ""}],
        },
    }
    return (json.dumps(doc, indent=2) + "\n").encode()


@dataclass(frozen=True, slots=True)
class UnverifiedBundle:
    """A key-based DSSE bundle, parsed but not yet verified."""

    hint: str
    payload: bytes
    payload_type: str
    signature: bytes
    tokens: tuple[bytes, ...]


def parse_bundle(data: bytes, *, seal_index: int | None = None) -> UnverifiedBundle:
    """Strictly parse a bundle; raises SealInvalid naming what is wrong."""

    def bad(detail: str) -> SealInvalid:
        return SealInvalid(seal_index, "malformed seal bundle", detail=detail)

    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise bad(f"not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise bad("not a JSON object")
    if doc.get("mediaType") != BUNDLE_V03:
        raise bad(f"mediaType {doc.get('mediaType')!r} is not {BUNDLE_V03}")
    try:
        vm = doc["verificationMaterial"]
        env = doc["dsseEnvelope"]
        hint = vm["publicKey"]["hint"]
        if vm.get("tlogEntries", []) != []:
            raise bad("key-based seals carry no transparency-log entries")
        stamps = vm.get("timestampVerificationData", {}).get("rfc3161Timestamps", [])
        sigs = env["signatures"]
        if not isinstance(sigs, list) or len(sigs) != 1:
            raise bad(f"expected exactly one DSSE signature, found {len(sigs)}")
        if not isinstance(hint, str) or not isinstance(stamps, list):
            raise bad("publicKey.hint must be a string and rfc3161Timestamps a list")
        return UnverifiedBundle(
            hint=hint,
            payload=unb64(env["payload"]),
            payload_type=str(env["payloadType"]),
            signature=unb64(sigs[0]["sig"]),
            tokens=tuple(unb64(t["signedTimestamp"]) for t in stamps),
        )
    except SealInvalid:
        raise
    except (KeyError, TypeError, AttributeError, binascii.Error, ValueError) as exc:
        raise bad(f"{type(exc).__name__}: {exc}") from exc


def add_timestamps(data: bytes, tokens: Sequence[bytes]) -> bytes:
    """Return the bundle with more RFC 3161 tokens (e.g. from an external TSA, added later).

    The signed statement is unchanged, so the chain still links.
    """
    doc = json.loads(data)
    stamps = doc["verificationMaterial"].setdefault("timestampVerificationData", {})
    lst = stamps.setdefault("rfc3161Timestamps", [])
    lst.extend({"signedTimestamp": b64(t)} for t in tokens)
    return (json.dumps(doc, indent=2) + "\n").encode()
