"""`openssl ts -verify -attime <genTime>` on every RFC 3161 token of every seal of a real store.

OpenSSL gets only what an outside verifier has: the token DER taken from the bundle, the signed
bytes (the DSSE signature, which Sigstore semantics timestamp), the TSA CA from trusted_root.json
as -CAfile and the TSA leaf as -untrusted. genTime is read by OpenSSL itself from the token.
"""

from __future__ import annotations

import calendar
import subprocess
import time
from pathlib import Path

import pytest

from logchain.cli.init import init_store
from tests.independent.conftest import seal_parts, tsa_chain_pem


def openssl_gen_time(openssl: str, token: Path) -> int:
    """genTime of a reply as OpenSSL prints it, in seconds since the epoch."""
    out = subprocess.run(
        [openssl, "ts", "-reply", "-in", str(token), "-text"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("Time stamp:"))
    text = line.split(":", 1)[1].strip().replace(" GMT", "")
    if "." in text.split()[2]:  # "Nov 25 23:17:28.123 2026": drop the fraction
        parts = text.split()
        parts[2] = parts[2].split(".")[0]
        text = " ".join(parts)
    return calendar.timegm(time.strptime(text, "%b %d %H:%M:%S %Y"))


def ts_verify(
    openssl: str, token: Path, data: Path, ca: Path, leaf: Path, at: int
) -> subprocess.CompletedProcess[str]:
    """`openssl ts -verify -in TOKEN -data DATA -CAfile CA -untrusted LEAF -attime AT`."""
    argv = [openssl, "ts", "-verify", "-in", str(token), "-data", str(data), "-CAfile", str(ca)]
    argv.extend(["-untrusted", str(leaf), "-attime", str(at)])
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def openssl_verify(
    openssl: str, token: bytes, data: bytes, ca: Path, leaf: Path, work: Path, name: str
) -> subprocess.CompletedProcess[str]:
    """Write the token and the signed bytes to files and verify at the token's own genTime."""
    token_path, data_path = work / f"{name}.tsr", work / f"{name}.sig"
    token_path.write_bytes(token)
    data_path.write_bytes(data)
    at = openssl_gen_time(openssl, token_path)
    return ts_verify(openssl, token_path, data_path, ca, leaf, at)


class TestOpenSSLTsVerify:
    def test_every_token_of_every_seal_verifies(self, openssl, real_store, tmp_path):
        """OpenSSL verifies each seal's token over that seal's signature at the token's genTime."""
        leaf, ca = tsa_chain_pem(real_store.trusted_root_path, tmp_path)
        seals, _ = real_store.seal_files()
        checked = 0
        for i, path in sorted(seals.items()):
            parts = seal_parts(path.read_bytes())
            assert parts.tokens, f"seal {i} carries no timestamp"
            for n, token in enumerate(parts.tokens):
                proc = openssl_verify(
                    openssl, token, parts.signature, ca, leaf, tmp_path, f"{i}-{n}"
                )
                assert proc.returncode == 0, f"seal {i} token {n}: {proc.stdout}{proc.stderr}"
                assert "Verification: OK" in proc.stdout
                checked += 1
        assert checked == len(seals) >= 6

    def test_token_over_another_signature_fails(self, openssl, real_store, tmp_path):
        """Seal 2's token checked against seal 3's signature: OpenSSL rejects the imprint."""
        leaf, ca = tsa_chain_pem(real_store.trusted_root_path, tmp_path)
        token = seal_parts(real_store.seal_path(2).read_bytes()).tokens[0]
        other_sig = seal_parts(real_store.seal_path(3).read_bytes()).signature
        proc = openssl_verify(openssl, token, other_sig, ca, leaf, tmp_path, "swap")
        assert proc.returncode != 0
        assert "message imprint mismatch" in (proc.stdout + proc.stderr)

    def test_wrong_ca_fails(self, openssl, real_store, tmp_path):
        """The store's token checked against another store's TSA CA: the chain does not verify."""
        other = init_store(tmp_path / "other")
        _, other_ca = tsa_chain_pem(other.trusted_root_path, tmp_path / "other")
        leaf, _ = tsa_chain_pem(real_store.trusted_root_path, tmp_path)
        parts = seal_parts(real_store.seal_path(2).read_bytes())
        proc = openssl_verify(
            openssl, parts.tokens[0], parts.signature, other_ca, leaf, tmp_path, "wrongca"
        )
        assert proc.returncode != 0
        assert "unable to get local issuer certificate" in (proc.stdout + proc.stderr)

    @pytest.mark.parametrize("years", [20])
    def test_attime_after_expiry_fails(self, openssl, real_store, tmp_path, years):
        """Checked 20 years on, after the TSA certificate expired, OpenSSL refuses the token."""
        leaf, ca = tsa_chain_pem(real_store.trusted_root_path, tmp_path)
        parts = seal_parts(real_store.seal_path(1).read_bytes())
        token_path, data_path = tmp_path / "t.tsr", tmp_path / "t.sig"
        token_path.write_bytes(parts.tokens[0])
        data_path.write_bytes(parts.signature)
        later = openssl_gen_time(openssl, token_path) + years * 366 * 86400
        proc = ts_verify(openssl, token_path, data_path, ca, leaf, later)
        assert proc.returncode != 0
        assert "certificate has expired" in (proc.stdout + proc.stderr)
