"""Trust material: ``keyring.json`` (signer public keys) and ``trusted_root.json`` (TSA chains).

``keyring.json``::

    {"mediaType": "application/vnd.logchain.keyring+json;version=1",
     "keys": {HINT: {"rawBytes": B64(SPKI DER), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                     "validFor": {"start": RFC3339, "end": RFC3339?}}},
     "roles": {HINT: ["seal", "threshold-admin", ...]}}

Each ``keys`` entry is a Sigstore ``PublicKey`` message, so sigstore-js reads the keyring as is.
``HINT`` is base64(SHA-256(SPKI DER)). ``trusted_root.json`` is a Sigstore ``TrustedRoot`` whose
``timestampAuthorities`` list the TSA chains (leaf first) with ``validFor`` windows.
A verifier trusts only these files, never a key carried inside a bundle.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from logchain.errors import SealInvalid, StorageError, UsageError
from logchain.types import parse_rfc3339

KEYRING_MEDIA_TYPE = "application/vnd.logchain.keyring+json;version=1"
TRUSTED_ROOT_MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
P256 = "PKIX_ECDSA_P256_SHA_256"
LOCAL_TSA_URI_PREFIX = "urn:logchain:local-tsa:"
ROLE_SEAL = "seal"
ROLE_THRESHOLD_ADMIN = "threshold-admin"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def rfc3339(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def spki_der(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_hint(key: ec.EllipticCurvePublicKey) -> str:
    """base64(SHA-256(SubjectPublicKeyInfo DER)): how a bundle names its key."""
    return b64(hashlib.sha256(spki_der(key)).digest())


@dataclass(frozen=True, slots=True)
class Validity:
    """A half-open window [start, end); ``end`` None means open-ended."""

    start: datetime
    end: datetime | None = None

    def contains(self, when: datetime) -> bool:
        return self.start <= when and (self.end is None or when < self.end)

    def to_json(self) -> dict[str, str]:
        out = {"start": rfc3339(self.start)}
        if self.end is not None:
            out["end"] = rfc3339(self.end)
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, object]) -> Validity:
        end = obj.get("end")
        return cls(
            start=parse_rfc3339(str(obj["start"])),
            end=None if end is None else parse_rfc3339(str(end)),
        )

    def __str__(self) -> str:
        return f"{rfc3339(self.start)} .. {rfc3339(self.end) if self.end else 'open'}"


@dataclass(frozen=True, slots=True)
class TrustedKey:
    hint: str
    public_key: ec.EllipticCurvePublicKey
    valid_for: Validity
    roles: tuple[str, ...] = (ROLE_SEAL,)


@dataclass(slots=True)
class Keyring:
    """Signer public keys by hint."""

    keys: dict[str, TrustedKey] = field(default_factory=dict)

    def add(self, key: ec.EllipticCurvePublicKey, valid_for: Validity, roles: Sequence[str]) -> str:
        hint = key_hint(key)
        self.keys[hint] = TrustedKey(hint, key, valid_for, tuple(roles))
        return hint

    def get(self, hint: str, *, seal_index: int | None = None) -> TrustedKey:
        """The trusted key for ``hint``; raises SealInvalid if unknown."""
        try:
            return self.keys[hint]
        except KeyError:
            raise SealInvalid(
                seal_index, "signed by a key that is not in the trusted keyring", detail=hint
            ) from None

    def to_json(self) -> dict[str, object]:
        return {
            "mediaType": KEYRING_MEDIA_TYPE,
            "keys": {
                h: {
                    "rawBytes": b64(spki_der(k.public_key)),
                    "keyDetails": P256,
                    "validFor": k.valid_for.to_json(),
                }
                for h, k in sorted(self.keys.items())
            },
            "roles": {h: list(k.roles) for h, k in sorted(self.keys.items())},
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> Keyring:
        """Read a keyring file; raises UsageError naming the file and key on a bad entry."""
        doc = _load_json(path)
        ring = cls()
        keys = doc.get("keys")
        roles = doc.get("roles", {})
        if not isinstance(keys, dict) or not isinstance(roles, dict):
            raise UsageError(f"{path}: 'keys' and 'roles' must be objects")
        for hint, entry in keys.items():
            try:
                if entry["keyDetails"] != P256:
                    raise ValueError(f"keyDetails {entry['keyDetails']!r} is not {P256}")
                pub = serialization.load_der_public_key(unb64(entry["rawBytes"]))
                if not isinstance(pub, ec.EllipticCurvePublicKey) or not isinstance(
                    pub.curve, ec.SECP256R1
                ):
                    raise ValueError("rawBytes is not a P-256 public key")
                if key_hint(pub) != hint:
                    raise ValueError("the hint is not base64(sha256(rawBytes))")
                valid = Validity.from_json(entry["validFor"])
                key_roles = tuple(str(r) for r in roles.get(hint, [ROLE_SEAL]))
            except (KeyError, TypeError, ValueError, binascii.Error) as exc:
                raise UsageError(
                    f"{path}: key {hint}: {exc}",
                    hint="Restore keyring.json from the evidence copy you were given.",
                ) from exc
            ring.keys[hint] = TrustedKey(hint, pub, valid, key_roles)
        return ring


@dataclass(frozen=True, slots=True)
class TimestampAuthority:
    """One TSA: its certificate chain (leaf first, root last) and validity window."""

    name: str
    uri: str
    chain: tuple[x509.Certificate, ...]
    valid_for: Validity

    @property
    def self_timestamped(self) -> bool:
        """True for the local OpenSSL TSA made by `logchain init` (same host as the signer)."""
        return self.uri.startswith(LOCAL_TSA_URI_PREFIX)

    def to_json(self) -> dict[str, object]:
        return {
            "subject": {"organization": "logchain", "commonName": self.name},
            "uri": self.uri,
            "certChain": {
                "certificates": [
                    {"rawBytes": b64(c.public_bytes(serialization.Encoding.DER))}
                    for c in self.chain
                ]
            },
            "validFor": self.valid_for.to_json(),
        }


@dataclass(slots=True)
class TrustedRoot:
    """The TSAs a verifier trusts (a Sigstore TrustedRoot with no tlogs, CAs or CT logs)."""

    authorities: list[TimestampAuthority] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "mediaType": TRUSTED_ROOT_MEDIA_TYPE,
            "tlogs": [],
            "certificateAuthorities": [],
            "ctlogs": [],
            "timestampAuthorities": [a.to_json() for a in self.authorities],
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> TrustedRoot:
        """Read a trusted root; raises UsageError naming the bad entry."""
        doc = _load_json(path)
        root = cls()
        entries = doc.get("timestampAuthorities", [])
        if not isinstance(entries, list):
            raise UsageError(f"{path}: 'timestampAuthorities' must be a list")
        for i, entry in enumerate(entries):
            try:
                chain = tuple(
                    x509.load_der_x509_certificate(unb64(c["rawBytes"]))
                    for c in entry["certChain"]["certificates"]
                )
                if not chain:
                    raise ValueError("empty certificate chain")
                root.authorities.append(
                    TimestampAuthority(
                        name=str(entry.get("subject", {}).get("commonName", "")),
                        uri=str(entry.get("uri", "")),
                        chain=chain,
                        valid_for=Validity.from_json(entry["validFor"]),
                    )
                )
            except (KeyError, TypeError, ValueError, binascii.Error) as exc:
                raise UsageError(
                    f"{path}: timestampAuthorities[{i}]: {exc}",
                    hint="Restore trusted_root.json from the evidence copy you were given.",
                ) from exc
        return root


def _load_json(path: Path) -> dict[str, object]:
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise StorageError(
            "trust material not found",
            path=path,
            hint="Pass --trust DIR holding keyring.json and trusted_root.json.",
        ) from exc
    except ValueError as exc:
        raise UsageError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise UsageError(f"{path} must hold a JSON object")
    return doc
