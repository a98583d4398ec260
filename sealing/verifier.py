"""BundleVerifier: offline verification of key-based seal bundles against pinned trust material.

Checks, in order: bundle shape; payload type; the key named by the hint is in the keyring (the
hint only selects, trust comes from the keyring) with the ``seal`` role; the ECDSA signature over
the DSSE PAE; 1 to 32 distinct RFC 3161 tokens, each over SHA-256 of the signature and verified
against a TSA of the trusted root (chain valid at genTime, genTime inside the TSA's validFor);
finally that every genTime falls inside the key's validFor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from rfc3161_client import VerificationError, Verifier, VerifierBuilder, decode_timestamp_response

from logchain.errors import KeyNotValid, SealInvalid, TimestampInvalid
from logchain.types import VerifiedSeal, VerifiedTimestamp
from sealing.bundle import INTOTO, MAX_TIMESTAMPS, pae, parse_bundle
from sealing.trust import ROLE_SEAL, Keyring, TimestampAuthority, TrustedRoot, rfc3339


@dataclass(frozen=True, slots=True)
class _TsaVerifier:
    authority: TimestampAuthority
    verifier: Verifier


class BundleVerifier:
    """A :class:`logchain.types.SealVerifier` over a keyring and a trusted root."""

    def __init__(
        self, keyring: Keyring, trusted_root: TrustedRoot, *, role: str = ROLE_SEAL
    ) -> None:
        self.keyring = keyring
        self.trusted_root = trusted_root
        self.role = role
        self._tsas = [_build(a) for a in trusted_root.authorities]

    @classmethod
    def from_trust_dir(cls, directory: Path) -> BundleVerifier:
        """Load ``keyring.json`` and ``trusted_root.json`` from ``directory``."""
        return cls(
            Keyring.load(directory / "keyring.json"),
            TrustedRoot.load(directory / "trusted_root.json"),
        )

    def verify(self, bundle: bytes, *, seal_index: int | None = None) -> VerifiedSeal:
        b = parse_bundle(bundle, seal_index=seal_index)
        if b.payload_type != INTOTO:
            raise SealInvalid(seal_index, "payload type is not in-toto", detail=b.payload_type)
        key = self.keyring.get(b.hint, seal_index=seal_index)
        if self.role not in key.roles:
            raise SealInvalid(
                seal_index, f"the key has no {self.role!r} role in the keyring", detail=key.hint
            )
        try:
            key.public_key.verify(
                b.signature, pae(b.payload_type, b.payload), ec.ECDSA(hashes.SHA256())
            )
        except InvalidSignature:
            raise SealInvalid(
                seal_index, "signature does not verify: the statement or signature was changed"
            ) from None
        stamps = self._verify_tokens(b.tokens, b.signature, seal_index)
        for stamp in stamps:
            if not key.valid_for.contains(stamp.gen_time):
                raise KeyNotValid(
                    seal_index,
                    "signing key used outside its validity window",
                    detail=f"timestamped {rfc3339(stamp.gen_time)}, key valid {key.valid_for}",
                )
        return VerifiedSeal(payload=b.payload, key_id=key.hint, timestamps=tuple(stamps))

    def _verify_tokens(
        self, tokens: Sequence[bytes], signature: bytes, seal_index: int | None
    ) -> list[VerifiedTimestamp]:
        if not tokens:
            raise TimestampInvalid(seal_index, "the seal carries no RFC 3161 timestamp")
        if len(tokens) > MAX_TIMESTAMPS:
            raise TimestampInvalid(
                seal_index, f"{len(tokens)} timestamps, at most {MAX_TIMESTAMPS}"
            )
        if len(set(tokens)) != len(tokens):
            raise TimestampInvalid(seal_index, "the same timestamp token appears twice")
        out: list[VerifiedTimestamp] = []
        for n, der in enumerate(tokens):
            try:
                resp = decode_timestamp_response(der)
            except ValueError as exc:
                raise TimestampInvalid(
                    seal_index, f"token {n} is not a timestamp reply: {exc}"
                ) from exc
            out.append(self._verify_one(n, resp, signature, seal_index))
        return out

    def _verify_one(
        self, n: int, resp: object, signature: bytes, seal_index: int | None
    ) -> VerifiedTimestamp:
        reasons: list[str] = []
        for tsa in self._tsas:
            try:
                tsa.verifier.verify_message(resp, signature)  # type: ignore[arg-type]
            except VerificationError as exc:
                reasons.append(f"{tsa.authority.name}: {exc}")
                continue
            gen_time = resp.tst_info.gen_time  # type: ignore[attr-defined]
            if not tsa.authority.valid_for.contains(gen_time):
                reasons.append(f"{tsa.authority.name}: genTime outside {tsa.authority.valid_for}")
                continue
            return VerifiedTimestamp(
                gen_time=gen_time,
                tsa=tsa.authority.name,
                self_timestamped=tsa.authority.self_timestamped,
            )
        detail = "; ".join(reasons) if reasons else "the trusted root lists no TSA"
        raise TimestampInvalid(
            seal_index,
            f"token {n} does not verify over this seal's signature against any trusted TSA "
            f"({detail})",
        )


def _build(authority: TimestampAuthority) -> _TsaVerifier:
    chain = authority.chain
    builder = VerifierBuilder(
        tsa_certificate=chain[0],
        intermediates=list(chain[1:-1]),
        roots=[chain[-1]],
    )
    return _TsaVerifier(authority, builder.build())
