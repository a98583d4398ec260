"""RFC 3161 time-stamping: requests over a signature, and the TSAs that answer them.

* :class:`OpenSSLTsa` -- the embedded default: ``openssl ts -reply`` with a CA and leaf made by
  ``logchain init``. Calls are serialised (OpenSSL does not lock its serial file).
* :class:`HttpTsa` -- any RFC 3161 TSA over HTTP (``application/timestamp-query``).

The timestamped message is the seal's signature bytes (Sigstore semantics), hashed with SHA-256.
Each reply is checked when it arrives: status granted, nonce echoed, imprint equal.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import subprocess
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import structlog
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    decode_timestamp_response,
)

from logchain.errors import SealingError, TimestampAuthorityError

log = structlog.get_logger(__name__)

#: Sends DER TimeStampReq bytes to a TSA and returns its DER TimeStampResp bytes.
Transport = Callable[[bytes], bytes]


@dataclass(frozen=True, slots=True)
class Token:
    """A checked RFC 3161 reply (DER) and the TSA that gave it."""

    der: bytes
    tsa: str


def request_timestamp(signature: bytes, transport: Transport, *, tsa: str) -> Token:
    """Ask one TSA for a token over SHA-256(``signature``) and check the reply.

    Raises TimestampAuthorityError if the TSA fails or its reply does not match the request.
    """
    req = (
        TimestampRequestBuilder()
        .data(signature)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    der = transport(req.as_bytes())
    try:
        resp: TimeStampResponse = decode_timestamp_response(der)
    except ValueError as exc:
        raise TimestampAuthorityError(f"TSA {tsa} sent an undecodable reply: {exc}") from exc
    if resp.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TimestampAuthorityError(
            f"TSA {tsa} refused the request (status {resp.status}: {resp.status_string})"
        )
    info = resp.tst_info
    if info.nonce != req.nonce:
        raise TimestampAuthorityError(f"TSA {tsa} answered with the wrong nonce")
    if info.message_imprint.message != hashlib.sha256(signature).digest():
        raise TimestampAuthorityError(f"TSA {tsa} timestamped a different message")
    return Token(der=der, tsa=tsa)


def timestamp_all(
    signature: bytes, tsas: Sequence[tuple[str, Transport]], *, required: int = 1
) -> list[Token]:
    """Ask every TSA; keep the tokens that arrive. Raises if fewer than ``required`` succeed."""
    tokens: list[Token] = []
    failures: list[str] = []
    for name, transport in tsas:
        try:
            tokens.append(request_timestamp(signature, transport, tsa=name))
        except TimestampAuthorityError as exc:
            failures.append(exc.message)
            log.warning("timestamp_failed", tsa=name, error=exc.message)
    if len(tokens) < required:
        raise TimestampAuthorityError(
            f"{len(tokens)} of {len(tsas)} TSAs gave a timestamp, {required} needed: "
            + "; ".join(failures)
        )
    return tokens


class OpenSSLTsa:
    """A real RFC 3161 TSA: ``openssl ts -reply`` with the store's local TSA key and config.

    Serialised by a thread lock and an ``flock`` on ``DIR/lock`` (several processes may share it).
    """

    def __init__(self, directory: Path, *, openssl: str = "openssl") -> None:
        self.directory = directory
        self.config = directory / "tsa.cnf"
        self.openssl = openssl
        self._lock = threading.Lock()
        if not self.config.exists():
            raise SealingError(
                f"local TSA configuration not found: {self.config}",
                hint="Create the store with `logchain init`, or configure an HTTP TSA.",
            )

    def __call__(self, query: bytes) -> bytes:
        with self._lock, self._flock(), tempfile.TemporaryDirectory(dir=self.directory) as tmp:
            q, r = Path(tmp) / "q.tsq", Path(tmp) / "r.tsr"
            q.write_bytes(query)
            try:
                subprocess.run(
                    [
                        self.openssl,
                        "ts",
                        "-reply",
                        "-config",
                        str(self.config),
                        "-queryfile",
                        str(q),
                        "-out",
                        str(r),
                    ],
                    check=True,
                    capture_output=True,
                    timeout=30,
                )
            except FileNotFoundError as exc:
                raise TimestampAuthorityError(
                    "the openssl command is not installed",
                    hint="Install OpenSSL (Debian: apt-get install -y openssl).",
                ) from exc
            except subprocess.CalledProcessError as exc:
                err = exc.stderr.decode(errors="replace").strip().splitlines()
                raise TimestampAuthorityError(
                    f"openssl ts -reply failed: {err[-1] if err else exc.returncode}"
                ) from exc
            except subprocess.TimeoutExpired as exc:
                raise TimestampAuthorityError("openssl ts -reply timed out") from exc
            return r.read_bytes()

    @contextlib.contextmanager
    def _flock(self) -> Iterator[None]:
        fd = os.open(self.directory / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


class HttpTsa:
    """An RFC 3161 TSA over HTTP(S): POST ``application/timestamp-query``."""

    def __init__(self, url: str, *, timeout_s: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise SealingError(f"TSA URL must start with http:// or https://: {url}")
        self.url = url
        self.timeout_s = timeout_s

    def __call__(self, query: bytes) -> bytes:
        req = urllib.request.Request(  # noqa: S310 -- scheme checked in __init__
            self.url,
            data=query,
            headers={"Content-Type": "application/timestamp-query"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:  # noqa: S310
                ctype = resp.headers.get("Content-Type", "")
                body: bytes = resp.read()
        except urllib.error.HTTPError as exc:
            raise TimestampAuthorityError(
                f"TSA {self.url} answered HTTP {exc.code} {exc.reason}: it refused the "
                "application/timestamp-query request"
            ) from exc
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            if isinstance(reason, TimeoutError):
                raise TimestampAuthorityError(
                    f"TSA {self.url} did not answer within {self.timeout_s:g} s"
                ) from exc
            raise TimestampAuthorityError(f"TSA {self.url} unreachable: {reason}") from exc
        if ctype.split(";")[0].strip() != "application/timestamp-reply":
            raise TimestampAuthorityError(
                f"TSA {self.url} answered with Content-Type {ctype!r}, not "
                "application/timestamp-reply"
            )
        return body


def write_openssl_config(directory: Path, policy_oid: str) -> Path:
    """Write ``tsa.cnf`` for the local TSA (leaf-only replies, SHA-256, ESSCertIDv2)."""
    cfg = directory / "tsa.cnf"
    cfg.write_text(
        "[ tsa ]\n"
        "default_tsa = logchain_tsa\n"
        "[ logchain_tsa ]\n"
        f"dir = {directory}\n"
        "serial = $dir/serial\n"
        "crypto_device = builtin\n"
        "signer_cert = $dir/tsa.pem\n"
        "signer_key = $dir/tsa.key\n"
        "# no certs= line: replies embed only the TSA leaf; the chain ships in trusted_root.json\n"
        "signer_digest = sha256\n"
        f"default_policy = {policy_oid}\n"
        "digests = sha256, sha384, sha512\n"
        "accuracy = secs:1\n"
        "clock_precision_digits = 0\n"
        "ordering = no\n"
        "tsa_name = yes\n"
        "ess_cert_id_chain = no\n"
        "ess_cert_id_alg = sha256\n"
    )
    (directory / "serial").write_text("01\n")
    return cfg
