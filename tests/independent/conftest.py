"""Independent verifiers that no one on this project wrote: OpenSSL and sigstore-js.

Outside CI a missing tool skips with the reason; in CI (``CI=true``) it fails, because these
cross-checks are part of what "verified" means there.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from logchain.store import Store
from tests.conftest import MakeLog

JS_DIR = Path(__file__).resolve().parents[1] / "js"


def require_tool(available: bool, reason: str) -> None:
    """Skip with ``reason`` when a tool is absent; in CI (CI=true) fail instead."""
    if available:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI must run the independent verifiers: install it in .ci/run)")
    pytest.skip(reason)


@pytest.fixture
def openssl() -> str:
    """Path of the openssl command (skips, or fails in CI, when absent)."""
    path = shutil.which("openssl")
    require_tool(path is not None, "openssl is not installed (apt-get install -y openssl)")
    assert path is not None
    return path


@pytest.fixture
def sigstore_js() -> Path:
    """The sigstore-js runner script, with its npm packages installed (skips or fails if absent)."""
    node = shutil.which("node")
    require_tool(node is not None, "node is not installed (Node 20 runs the sigstore-js check)")
    installed = (JS_DIR / "node_modules" / "@sigstore" / "verify").is_dir()
    require_tool(installed, f"sigstore-js is not installed: run `npm ci` in {JS_DIR}")
    return JS_DIR / "verify_bundles.cjs"


@pytest.fixture
def real_store(make_log: MakeLog) -> Store:
    """A closed store with three segments: genesis, open, segment seals and close."""
    return make_log(240, segments=3)


@dataclass(frozen=True, slots=True)
class SealParts:
    """What an outside verifier needs from one seal bundle."""

    signature: bytes
    tokens: tuple[bytes, ...]


def seal_parts(bundle: bytes) -> SealParts:
    """The DSSE signature and the RFC 3161 replies of a bundle, straight from its JSON."""
    doc = json.loads(bundle)
    sig = base64.b64decode(doc["dsseEnvelope"]["signatures"][0]["sig"])
    stamps = doc["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
    return SealParts(sig, tuple(base64.b64decode(t["signedTimestamp"]) for t in stamps))


def tsa_chain_pem(trusted_root: Path, directory: Path) -> tuple[Path, Path]:
    """Write the first TSA's leaf and CA from trusted_root.json as PEM files (leaf, CA)."""
    doc = json.loads(trusted_root.read_text())
    certs = doc["timestampAuthorities"][0]["certChain"]["certificates"]
    paths = []
    for name, cert in (("tsa-leaf.pem", certs[0]), ("tsa-ca.pem", certs[-1])):
        der = base64.b64decode(cert["rawBytes"])
        body = base64.encodebytes(der).decode().replace("\n", "")
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"
        path = directory / name
        path.write_text(pem)
        paths.append(path)
    return paths[0], paths[1]


def run_sigstore_js(
    script: Path, trust_dir: Path, bundles: list[Path], *, trusted_root: Path | None = None
) -> dict[str, dict[str, object]]:
    """Judge ``bundles`` with sigstore-js; returns each bundle's verdict by path."""
    job = {
        "trusted_root": str(trusted_root or trust_dir / "trusted_root.json"),
        "keyring": str(trust_dir / "keyring.json"),
        "bundles": [str(b) for b in bundles],
    }
    proc = subprocess.run(
        ["node", str(script)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, f"sigstore-js runner failed: {proc.stderr}"
    verdicts = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return {str(v["bundle"]): v for v in verdicts}
