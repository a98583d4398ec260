"""Applied G6 threshold changes: ``STORE/thresholds/<serial>.sigstore.json`` (write-once).

Each file is a bundle signed by a key with the ``threshold-admin`` role; the active thresholds
are those of the highest serial. Every file is verified on load, so a file dropped in by hand
(unsigned, another role, another store, a serial that does not match its name) stops the load.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from logchain.errors import IntegrityError, SealInvalid
from logchain.fileops import file_sha256
from logchain.store import Store
from logchain.types import SealVerifier
from queries.receipt import FileRef
from queries.thresholds import Thresholds, ThresholdsChange, parse_thresholds_payload
from sealing.trust import ROLE_THRESHOLD_ADMIN, Keyring, TrustedRoot
from sealing.verifier import BundleVerifier

THRESHOLDS_DIR = "thresholds"


@dataclass(frozen=True, slots=True)
class ActiveThresholds:
    thresholds: Thresholds
    ref: FileRef


def thresholds_dir(store: Store) -> Path:
    return store.root / THRESHOLDS_DIR


def threshold_file(store: Store, serial: int) -> Path:
    return thresholds_dir(store) / f"{serial:012d}.sigstore.json"


def admin_verifier(trust_dir: Path) -> BundleVerifier:
    """A verifier that accepts only keys holding the threshold-admin role."""
    return BundleVerifier(
        Keyring.load(trust_dir / "keyring.json"),
        TrustedRoot.load(trust_dir / "trusted_root.json"),
        role=ROLE_THRESHOLD_ADMIN,
    )


def verify_change(bundle: bytes, verifier: SealVerifier) -> ThresholdsChange:
    """Verify a signed change. Raises SealInvalid/KeyNotValid/TimestampInvalid or ConfigError."""
    verified = verifier.verify(bundle)
    return parse_thresholds_payload(verified.payload)


def applied_changes(store: Store, verifier: SealVerifier) -> list[tuple[Path, ThresholdsChange]]:
    """Every applied change, by serial. Raises IntegrityError if one does not verify."""
    d = thresholds_dir(store)
    if not d.is_dir():
        return []
    log_id = store.manifest().log_id
    out: list[tuple[Path, ThresholdsChange]] = []
    for path in sorted(d.glob("*.sigstore.json")):
        try:
            change = verify_change(path.read_bytes(), verifier)
        except SealInvalid as exc:
            raise IntegrityError(
                f"applied thresholds file {path} does not verify: {exc.message}",
                hint="Thresholds change only through `logchain thresholds apply`; restore the "
                "directory from a backup and investigate who wrote this file.",
            ) from exc
        if (
            change.log_id != log_id
            or path.name != threshold_file(store, change.thresholds.serial).name
        ):
            raise IntegrityError(
                f"applied thresholds file {path} names serial {change.thresholds.serial} of "
                f"store {change.log_id}",
                hint="Restore the thresholds directory from a backup and investigate.",
            )
        out.append((path, change))
    return out


def active_thresholds(store: Store, verifier: SealVerifier) -> ActiveThresholds | None:
    """The thresholds in force (highest applied serial), or None when none were applied."""
    changes = applied_changes(store, verifier)
    if not changes:
        return None
    path, change = changes[-1]
    return ActiveThresholds(change.thresholds, FileRef(path.name, file_sha256(path)))
