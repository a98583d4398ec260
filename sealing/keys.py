"""The local signing key: ECDSA P-256, PKCS#8 PEM, file mode 0600, optional passphrase.

The passphrase, when used, comes from the environment variable named by ``passphrase_env``
(default ``LOGCHAIN_KEY_PASSPHRASE``), never from the command line.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from logchain.errors import SealingError, StorageError, UsageError

PASSPHRASE_ENV = "LOGCHAIN_KEY_PASSPHRASE"  # noqa: S105 -- the variable name, not a secret


def generate_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def save_key(
    key: ec.EllipticCurvePrivateKey, path: Path, *, passphrase_env: str = PASSPHRASE_ENV
) -> None:
    """Write ``key`` as PKCS#8 PEM with mode 0600 (encrypted if the passphrase env var is set).

    Raises StorageError if the file exists or cannot be written.
    """
    passphrase = os.environ.get(passphrase_env)
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)
    write_private(path, pem)


def write_private(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0600 and write ``data``; refuses to overwrite."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise StorageError("refusing to overwrite an existing key file", path=path) from exc
    except OSError as exc:
        raise StorageError(f"cannot create key file: {exc.strerror}", path=path) from exc
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def load_key(path: Path, *, passphrase_env: str = PASSPHRASE_ENV) -> ec.EllipticCurvePrivateKey:
    """Load a P-256 PKCS#8 key; raises UsageError (bad file/passphrase) or SealingError."""
    try:
        data = path.read_bytes()
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError as exc:
        raise UsageError(
            f"signing key not found: {path}",
            hint="Create a store with `logchain init`, or set signing.key in logchain.toml.",
        ) from exc
    if mode & 0o077:
        raise UsageError(
            f"signing key {path} is readable by others (mode {mode:o})",
            hint=f"Run `chmod 600 {path}`.",
        )
    passphrase = os.environ.get(passphrase_env)
    try:
        key = serialization.load_pem_private_key(
            data, password=passphrase.encode() if passphrase else None
        )
    except TypeError as exc:
        raise UsageError(
            f"signing key {path} is encrypted and {passphrase_env} is not set",
            hint=f"Export {passphrase_env} with the key's passphrase.",
        ) from exc
    except ValueError as exc:
        raise UsageError(
            f"signing key {path} cannot be read (wrong passphrase or not a PEM key)",
            hint=f"Check {passphrase_env} and the key file.",
        ) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SealingError(f"signing key {path} is not an ECDSA P-256 key")
    return key
