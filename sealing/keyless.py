"""Keyless Sigstore sealing (sigstore-python), an option for deployments that are online.

:class:`SigstoreSealer` signs the seal statement as a DSSE in-toto envelope with a short-lived
Fulcio certificate bound to an OIDC identity, logged in Rekor (and timestamped by the trust
config's TSAs). :class:`KeylessVerifier` checks such bundles offline against a pinned Sigstore
trusted root and an identity policy. Neither works without the network at signing time; both
translate sigstore's errors into logchain's (SealingError, SealInvalid).

Wiring (not the default: the embedded local key works offline)::

    from sigstore.verify import policy
    from sealing.keyless import KeylessVerifier, SigstoreSealer

    sealer = SigstoreSealer.production()   # OIDC token from the CI environment
    verifier = KeylessVerifier.production(
        policy.Identity(identity="https://github.com/org/repo/.github/workflows/log.yml@refs/heads/main",
                        issuer="https://token.actions.githubusercontent.com"))
    # LogWriter(store, sealer, verifier, clock) as with the local key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

import requests
from cryptography import x509
from pydantic import ValidationError
from sigstore import dsse
from sigstore._internal.fulcio.client import FulcioClientError  # raised on Fulcio HTTP errors
from sigstore._internal.rekor import RekorClientError  # raised on Rekor HTTP errors
from sigstore.errors import Error as SigstoreError
from sigstore.errors import VerificationError as SigstoreVerificationError
from sigstore.hashes import Hashed
from sigstore.models import Bundle, ClientTrustConfig, InvalidBundle
from sigstore.oidc import ExpiredIdentity, IdentityError, IdentityToken, detect_credential
from sigstore.sign import SigningContext
from sigstore.verify import Verifier
from sigstore.verify.policy import VerificationPolicy
from sigstore_models.common.v1 import HashAlgorithm

from logchain.errors import SealingError, SealInvalid
from logchain.types import Sealer, SealVerifier, VerifiedSeal, VerifiedTimestamp
from sealing.bundle import INTOTO

#: Where an OIDC token comes from when none is given: the CI environment (GitHub Actions, ...).
TokenSource = Callable[[], str | None]

_ISSUER_OIDS = ("1.3.6.1.4.1.57264.1.8", "1.3.6.1.4.1.57264.1.1")  # Fulcio issuer (v2, v1)


class SigstoreSealer:
    """A :class:`logchain.types.Sealer` that signs keyless with Fulcio + Rekor."""

    def __init__(
        self,
        context: SigningContext,
        *,
        identity_token: str | None = None,
        token_source: TokenSource = detect_credential,
    ) -> None:
        self._context = context
        self._raw_token = identity_token
        self._token_source = token_source
        self._identity: str | None = None

    @classmethod
    def production(cls, *, identity_token: str | None = None) -> SigstoreSealer:
        """Sealer for the public Sigstore instance (refreshes its trust root: needs the network).

        Raises SealingError if the trust configuration cannot be fetched.
        """
        try:
            config = ClientTrustConfig.production()
        except SigstoreError as exc:
            raise SealingError(
                f"cannot load the Sigstore trust configuration: {exc}",
                hint="Keyless sealing needs the network; use the local key when offline.",
            ) from exc
        return cls(SigningContext.from_trust_config(config), identity_token=identity_token)

    @classmethod
    def from_trust_config(cls, path: Path, *, identity_token: str | None = None) -> SigstoreSealer:
        """Sealer for a private Sigstore instance described by a ClientTrustConfig JSON file."""
        try:
            config = ClientTrustConfig.from_json(path.read_text())
        except (OSError, ValueError, SigstoreError) as exc:
            raise SealingError(
                f"cannot read the Sigstore trust configuration {path}: {exc}"
            ) from exc
        return cls(SigningContext.from_trust_config(config), identity_token=identity_token)

    @property
    def key_id(self) -> str:
        """``keyless:`` and the OIDC identity the certificate is bound to."""
        return f"keyless:{self._token().identity}"

    def seal(self, payload: bytes) -> bytes:
        """Sign ``payload`` (an in-toto Statement) as DSSE with a Fulcio certificate.

        Raises SealingError when there is no usable identity, the statement is not in-toto, or a
        Sigstore service (Fulcio, Rekor) fails; nothing is written then.
        """
        token = self._token()
        try:
            statement = dsse.Statement(payload)
        except (ValueError, ValidationError, SigstoreError) as exc:
            raise SealingError(f"the seal statement is not an in-toto Statement: {exc}") from exc
        try:
            with self._context.signer(token, cache=True) as signer:
                bundle = signer.sign_dsse(statement)
        except ExpiredIdentity as exc:
            raise SealingError(
                "the OIDC identity token expired before signing",
                hint="Get a fresh token (in CI, re-run the job) and seal again.",
            ) from exc
        except (
            SigstoreError,
            FulcioClientError,
            RekorClientError,
            requests.RequestException,
        ) as exc:
            raise SealingError(
                f"keyless signing failed at the Sigstore services: {type(exc).__name__}: {exc}",
                hint="Check the network and the Sigstore instance; the chain is intact, retry.",
            ) from exc
        return bundle.to_json().encode()

    def _token(self) -> IdentityToken:
        raw = self._raw_token or self._token_source()
        if not raw:
            raise SealingError(
                "no OIDC identity token for keyless signing",
                hint="Run where an ambient credential exists (e.g. GitHub Actions with "
                "id-token: write) or pass an identity token.",
            )
        try:
            token = IdentityToken(raw)
        except IdentityError as exc:
            raise SealingError(f"the OIDC identity token is unusable: {exc}") from exc
        self._raw_token = raw
        return token


class KeylessVerifier:
    """A :class:`logchain.types.SealVerifier` for keyless bundles, offline, with a policy."""

    def __init__(self, verifier: Verifier, policy: VerificationPolicy) -> None:
        self._verifier = verifier
        self._policy = policy

    @classmethod
    def production(cls, policy: VerificationPolicy) -> KeylessVerifier:
        """Against the public instance's trusted root as shipped with sigstore (no network)."""
        return cls(Verifier.production(offline=True), policy)

    @classmethod
    def from_trust_config(cls, path: Path, policy: VerificationPolicy) -> KeylessVerifier:
        """Against the trusted root inside a ClientTrustConfig JSON file (a private instance)."""
        config = ClientTrustConfig.from_json(path.read_text())
        return cls(Verifier(trusted_root=config.trusted_root), policy)

    def verify(self, bundle: bytes, *, seal_index: int | None = None) -> VerifiedSeal:
        """Verify a DSSE seal bundle; returns its statement and verified times.

        Raises SealInvalid (malformed, bad signature, wrong identity, untrusted time).
        """
        parsed = _load(bundle, seal_index)
        try:
            payload_type, payload = self._verifier.verify_dsse(parsed, self._policy)
        except SigstoreVerificationError as exc:
            raise SealInvalid(seal_index, "keyless seal does not verify", detail=str(exc)) from exc
        if payload_type != INTOTO:
            raise SealInvalid(seal_index, "payload type is not in-toto", detail=payload_type)
        return self._result(parsed, payload)

    def verify_artifact(self, bundle: bytes, *, sha256: bytes) -> VerifiedSeal:
        """Verify a message-signature bundle over an artifact given by its SHA-256.

        The result's ``payload`` is that digest (such bundles carry no statement). Raises
        SealInvalid.
        """
        parsed = _load(bundle, None)
        hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=sha256)
        try:
            self._verifier.verify_artifact(hashed, parsed, self._policy)
        except SigstoreVerificationError as exc:
            raise SealInvalid(None, "keyless bundle does not verify", detail=str(exc)) from exc
        return self._result(parsed, sha256)

    def _result(self, bundle: Bundle, payload: bytes) -> VerifiedSeal:
        # Re-derives the times sigstore just verified (RFC 3161 tokens, Rekor integrated time).
        times = self._verifier._establish_time(bundle)
        stamps = tuple(
            VerifiedTimestamp(
                gen_time=t.time.astimezone(UTC),
                tsa=f"sigstore:{t.source.name.lower()}",
                self_timestamped=False,
            )
            for t in times
        )
        return VerifiedSeal(payload=payload, key_id=_identity(bundle), timestamps=stamps)


def _load(bundle: bytes, seal_index: int | None) -> Bundle:
    try:
        return Bundle.from_json(bundle)
    except (InvalidBundle, ValueError, ValidationError) as exc:
        raise SealInvalid(seal_index, "malformed keyless seal bundle", detail=str(exc)) from exc


def _identity(bundle: Bundle) -> str:
    """``keyless:`` + the certificate's identity (SAN) and OIDC issuer."""
    cert = bundle.signing_certificate
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    names = san.get_values_for_type(x509.UniformResourceIdentifier) or san.get_values_for_type(
        x509.RFC822Name
    )
    issuer = ""
    for oid in _ISSUER_OIDS:
        try:
            ext = cert.extensions.get_extension_for_oid(x509.ObjectIdentifier(oid)).value
        except x509.ExtensionNotFound:
            continue
        raw = ext.value if isinstance(ext, x509.UnrecognizedExtension) else b""
        issuer = _der_text(raw)
        break
    who = names[0] if names else cert.subject.rfc4514_string()
    return f"keyless:{who} ({issuer})" if issuer else f"keyless:{who}"


def _der_text(raw: bytes) -> str:
    """The text of a DER UTF8String (Fulcio v2 extensions) or raw UTF-8 (v1)."""
    if len(raw) >= 2 and raw[0] == 0x0C and raw[1] < 0x80:
        return raw[2 : 2 + raw[1]].decode("utf-8", "replace")
    return raw.decode("utf-8", "replace")


if TYPE_CHECKING:  # mypy checks that both classes satisfy the core's ports

    def _ports(s: SigstoreSealer, v: KeylessVerifier) -> tuple[Sealer, SealVerifier]:
        return s, v
