"""Keyless Sigstore sealing: offline verification of recorded bundles, signing up to the network.

The recorded bundles come from sigstore-python's test assets (../shared/reference/keyless): a
production GitHub Actions bundle for the rfc8785 0.1.2 wheel (verified by its published SHA-256,
so no download is needed) and a private-instance bundle with its trust config. Signing is run for
real up to Fulcio, which a loopback server in the test process plays (503); the OIDC token is a
locally made JWT. Nothing cryptographic is faked: the CSR that arrives is checked with cryptography.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from sigstore.models import ClientTrustConfig
from sigstore.sign import SigningContext
from sigstore.verify import policy

from logchain.errors import SealingError, SealInvalid
from sealing.keyless import KeylessVerifier, SigstoreSealer
from tests.conftest import SHARED_DATA

KEYLESS = SHARED_DATA.parent / "reference" / "keyless"
WHEEL_SHA256 = bytes.fromhex("c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201")
WORKFLOW = (
    "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"
)
GITHUB = "https://token.actions.githubusercontent.com"
STATEMENT = json.dumps(
    {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "logchain-chain", "digest": {"sha256": "00" * 32}}],
        "predicateType": "urn:logchain:seal:v1",
        "predicate": {"seal_index": 1},
    }
).encode()


@pytest.fixture
def keyless_assets() -> Path:
    if not (KEYLESS / "bundle_v3_github.whl.sigstore").is_file():
        pytest.skip(f"recorded keyless bundles are absent ({KEYLESS})")
    return KEYLESS


def jwt(claims: dict[str, object]) -> str:
    """A compact JWT signed with HS256 under a test key (Fulcio would check it; we stop before)."""

    def b64u(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    head = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64u(json.dumps(claims).encode())
    sig = hmac.new(b"test-key", head + b"." + body, hashlib.sha256).digest()
    return (head + b"." + body + b"." + b64u(sig)).decode()


def fresh_token(sub: str = "sealer@example.test") -> str:
    now = int(time.time())
    return jwt(
        {"iss": "https://issuer.example.test", "sub": sub, "aud": "sigstore"}
        | {
            "iat": now,
            "exp": now + 600,
        }
    )


class FulcioDown:
    """Loopback Fulcio/Rekor/TSA edge that records each request and answers 503."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        outer = self

        class _Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((self.path, dict(self.headers), body))
                out = b'{"code": 503, "message": "unavailable"}'
                self.send_response(503)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def fulcio_down(keyless_assets) -> Iterator[tuple[FulcioDown, SigningContext]]:
    """A signing context whose Fulcio, Rekor and TSA URLs all point at the loopback edge."""
    edge = FulcioDown()
    config = json.loads((keyless_assets / "tsa_trust_config.json").read_text())
    for key in ("caUrls", "rekorTlogUrls", "tsaUrls"):
        for entry in config["signing_config"][key]:
            entry["url"] = edge.url
    context = SigningContext.from_trust_config(ClientTrustConfig.from_json(json.dumps(config)))
    yield edge, context
    edge.server.shutdown()
    edge.server.server_close()


class TestKeylessVerifier:
    def test_production_bundle_verifies_offline(self, keyless_assets):
        """The recorded GitHub Actions bundle verifies with the wheel-embedded trusted root."""
        verifier = KeylessVerifier.production(
            policy.AllOf(
                [
                    policy.Identity(identity=WORKFLOW, issuer=GITHUB),
                    policy.GitHubWorkflowRepository("trailofbits/rfc8785.py"),
                ]
            )
        )
        bundle = (keyless_assets / "bundle_v3_github.whl.sigstore").read_bytes()
        seal = verifier.verify_artifact(bundle, sha256=WHEEL_SHA256)
        assert seal.key_id == f"keyless:{WORKFLOW} ({GITHUB})"
        assert seal.trusted_time.isoformat() == "2024-03-19T22:41:16+00:00"
        assert all(not t.self_timestamped for t in seal.timestamps)

    def test_wrong_identity_is_rejected(self, keyless_assets):
        """The same bundle under a policy for another identity is SealInvalid."""
        verifier = KeylessVerifier.production(
            policy.Identity(identity="mallory@example.com", issuer="https://github.com/login/oauth")
        )
        bundle = (keyless_assets / "bundle_v3_github.whl.sigstore").read_bytes()
        with pytest.raises(SealInvalid, match="keyless bundle does not verify"):
            verifier.verify_artifact(bundle, sha256=WHEEL_SHA256)

    def test_other_artifact_is_rejected(self, keyless_assets):
        """The bundle checked against another digest does not verify."""
        verifier = KeylessVerifier.production(policy.Identity(identity=WORKFLOW, issuer=GITHUB))
        bundle = (keyless_assets / "bundle_v3_github.whl.sigstore").read_bytes()
        with pytest.raises(SealInvalid, match="keyless bundle does not verify"):
            verifier.verify_artifact(bundle, sha256=hashlib.sha256(b"other").digest())

    def test_tsa_bundle_verifies_with_its_trust_config(self, keyless_assets):
        """The private-instance bundle verifies against the trusted root of its trust config."""
        verifier = KeylessVerifier.from_trust_config(
            keyless_assets / "tsa_trust_config.json", policy.UnsafeNoOp()
        )
        artifact = (keyless_assets / "tsa_bundle.txt").read_bytes()
        bundle = (keyless_assets / "tsa_bundle.txt.sigstore").read_bytes()
        seal = verifier.verify_artifact(bundle, sha256=hashlib.sha256(artifact).digest())
        assert seal.payload == hashlib.sha256(artifact).digest()
        assert seal.timestamps

    def test_seal_verify_needs_a_dsse_bundle(self, keyless_assets):
        """A message-signature bundle is not a seal: verify() says so as SealInvalid."""
        verifier = KeylessVerifier.production(policy.Identity(identity=WORKFLOW, issuer=GITHUB))
        bundle = (keyless_assets / "bundle_v3_github.whl.sigstore").read_bytes()
        with pytest.raises(SealInvalid, match=r"seal 4: keyless seal does not verify.*DSSE"):
            verifier.verify(bundle, seal_index=4)

    def test_malformed_bundle(self):
        """Bytes that are not a Sigstore bundle are reported as malformed."""
        verifier = KeylessVerifier.production(policy.UnsafeNoOp())
        with pytest.raises(SealInvalid, match="seal 2: malformed keyless seal bundle"):
            verifier.verify(b'{"mediaType": "nonsense"}', seal_index=2)


class TestSigstoreSealer:
    def test_no_identity_token(self, fulcio_down):
        """Without a token and without an ambient credential, sealing says how to get one."""
        _, context = fulcio_down
        sealer = SigstoreSealer(context, token_source=lambda: None)
        with pytest.raises(SealingError, match="no OIDC identity token"):
            sealer.seal(STATEMENT)

    def test_malformed_token(self, fulcio_down):
        """A token that is not a valid OIDC JWT for sigstore is refused before any request."""
        edge, context = fulcio_down
        sealer = SigstoreSealer(context, identity_token=jwt({"sub": "x", "aud": "someone-else"}))
        with pytest.raises(SealingError, match="OIDC identity token is unusable"):
            sealer.seal(STATEMENT)
        assert edge.requests == []

    def test_statement_must_be_in_toto(self, fulcio_down):
        """A payload that is not an in-toto Statement is refused before signing."""
        _, context = fulcio_down
        sealer = SigstoreSealer(context, identity_token=fresh_token())
        with pytest.raises(SealingError, match="not an in-toto Statement"):
            sealer.seal(b'{"hello": "world"}')

    def test_signing_reaches_fulcio_with_a_real_csr(self, fulcio_down):
        """Fulcio gets a valid P-256 CSR with the bearer token; its 503 becomes SealingError."""
        edge, context = fulcio_down
        token = fresh_token()
        sealer = SigstoreSealer(context, identity_token=token)
        assert sealer.key_id == "keyless:sealer@example.test"
        with pytest.raises(SealingError, match=r"Sigstore services: FulcioClientError") as exc:
            sealer.seal(STATEMENT)
        assert exc.value.__cause__ is not None
        ((path, headers, body),) = edge.requests
        assert path == "/api/v2/signingCert"
        assert headers["Authorization"] == f"Bearer {token}"
        csr_pem = base64.b64decode(json.loads(body)["certificateSigningRequest"])
        csr = x509.load_pem_x509_csr(csr_pem)
        assert csr.is_signature_valid
        assert isinstance(csr.public_key(), ec.EllipticCurvePublicKey)
        assert csr.public_key().curve.name == "secp256r1"

    @pytest.mark.online
    def test_keyless_seal_round_trip_online(self):
        """With an ambient OIDC credential and the public instance, a seal signs and verifies."""
        sealer = SigstoreSealer.production()
        bundle = sealer.seal(STATEMENT)
        identity = sealer.key_id.removeprefix("keyless:")
        verifier = KeylessVerifier.production(policy.Identity(identity=identity, issuer=GITHUB))
        assert verifier.verify(bundle).payload == STATEMENT
