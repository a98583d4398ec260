"""Store layout on disk, the store manifest, and the one-writer lock (format v1).

::

    STORE/
      logchain.json                  manifest: format, log_id, created, seal_interval_s
      trust/keyring.json             signer public keys with validity windows
      trust/trusted_root.json        Sigstore TrustedRoot with the TSA chains
      seals/000000000000.sigstore.json   one Sigstore bundle per seal, numbered from 0
      segments/000000000001.parquet      one segment per segment seal, named by its seal number
      findings/, thresholds/         detection results and G6 threshold changes, each signed
      private/                       signing key and local TSA (never part of an evidence copy)
      orphans/                       unsealed segment files set aside after a crash
      writer.lock                    held by the one writer

Everything under ``seals/`` and ``segments/`` is write-once.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import json
import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from logchain.errors import StorageError, StoreLocked, UsageError
from logchain.fileops import replace_file
from logchain.statement import FORMAT

MANIFEST = "logchain.json"
SEAL_RE = re.compile(r"^(\d{12})\.sigstore\.json$")
SEGMENT_RE = re.compile(r"^(\d{12})\.parquet$")


def seal_name(seal_index: int) -> str:
    return f"{seal_index:012d}.sigstore.json"


def segment_name(seal_index: int) -> str:
    return f"{seal_index:012d}.parquet"


@dataclass(frozen=True, slots=True)
class Manifest:
    """The store's unsigned description; the genesis seal carries the same facts signed."""

    log_id: str
    created: str
    seal_interval_s: int
    format: str = FORMAT

    def to_json(self) -> dict[str, object]:
        return {
            "format": self.format,
            "log_id": self.log_id,
            "created": self.created,
            "seal_interval_s": self.seal_interval_s,
        }


class Store:
    """Paths and listings of one store directory. Reading needs no lock; writing takes it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    # ------------------------------------------------------------ paths
    @property
    def seals_dir(self) -> Path:
        return self.root / "seals"

    @property
    def segments_dir(self) -> Path:
        return self.root / "segments"

    @property
    def trust_dir(self) -> Path:
        return self.root / "trust"

    @property
    def private_dir(self) -> Path:
        return self.root / "private"

    @property
    def orphans_dir(self) -> Path:
        return self.root / "orphans"

    @property
    def keyring_path(self) -> Path:
        return self.trust_dir / "keyring.json"

    @property
    def trusted_root_path(self) -> Path:
        return self.trust_dir / "trusted_root.json"

    def seal_path(self, seal_index: int) -> Path:
        return self.seals_dir / seal_name(seal_index)

    def segment_path(self, seal_index: int) -> Path:
        return self.segments_dir / segment_name(seal_index)

    # ------------------------------------------------------------ creation
    def create(self, manifest: Manifest) -> None:
        """Make the directory layout and manifest; raises UsageError if a store is already here."""
        if (self.root / MANIFEST).exists():
            raise UsageError(
                f"{self.root} already holds a logchain store",
                hint="Choose another directory, or use the existing store.",
            )
        if self.root.exists() and any(self.root.iterdir()):
            raise UsageError(
                f"{self.root} exists and is not empty",
                hint="Give `logchain init` a new or empty directory.",
            )
        try:
            for d in (self.seals_dir, self.segments_dir, self.trust_dir, self.orphans_dir):
                d.mkdir(parents=True, exist_ok=True)
            self.private_dir.mkdir(mode=0o700, exist_ok=True)
            replace_file(self.root / MANIFEST, json.dumps(manifest.to_json(), indent=2).encode())
        except OSError as exc:
            raise StorageError(
                f"could not create the store: {exc.strerror}", path=self.root
            ) from exc

    def manifest(self) -> Manifest:
        """Read ``logchain.json``; raises UsageError if this is not a store."""
        path = self.root / MANIFEST
        try:
            doc = json.loads(path.read_text())
            return Manifest(
                log_id=str(doc["log_id"]),
                created=str(doc["created"]),
                seal_interval_s=int(doc["seal_interval_s"]),
                format=str(doc["format"]),
            )
        except FileNotFoundError as exc:
            raise UsageError(
                f"{self.root} is not a logchain store (no {MANIFEST})",
                hint="Check --store, or create one with `logchain init STORE`.",
            ) from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise StorageError(f"the store manifest is unreadable: {exc}", path=path) from exc

    # ------------------------------------------------------------ listings
    def seal_files(self) -> tuple[dict[int, Path], list[Path]]:
        """Seal files by number, and any other files found in ``seals/``."""
        found: dict[int, Path] = {}
        stray: list[Path] = []
        for p in sorted(self._listdir(self.seals_dir)):
            m = SEAL_RE.match(p.name)
            if m:
                found[int(m.group(1))] = p
            elif not p.name.startswith("."):
                stray.append(p)
        return found, stray

    def segment_files(self) -> tuple[dict[int, Path], list[Path]]:
        """Segment files by seal number, and any other files found in ``segments/``."""
        found: dict[int, Path] = {}
        stray: list[Path] = []
        for p in sorted(self._listdir(self.segments_dir)):
            m = SEGMENT_RE.match(p.name)
            if m:
                found[int(m.group(1))] = p
            elif not p.name.startswith("."):
                stray.append(p)
        return found, stray

    def last_seal_index(self) -> int | None:
        seals, _ = self.seal_files()
        return max(seals) if seals else None

    def _listdir(self, d: Path) -> list[Path]:
        try:
            return [p for p in d.iterdir() if p.is_file()]
        except FileNotFoundError:
            return []

    # ------------------------------------------------------------ locking
    @contextlib.contextmanager
    def writer_lock(self, command: str) -> Iterator[None]:
        """Hold the store's single-writer lock; raises StoreLocked naming the holder."""
        path = self.root / "writer.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "unknown"
                raise StoreLocked(path, holder) from None
            info = f"pid {os.getpid()} on {socket.gethostname()}: {command}"
            os.ftruncate(fd, 0)
            os.pwrite(fd, info.encode(), 0)
            try:
                yield
            finally:
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def unverified_payload(bundle: bytes) -> bytes:
    """The DSSE payload of a seal bundle, decoded but NOT verified (for listings and recovery).

    Raises ValueError if the bundle is not a DSSE bundle.
    """
    try:
        doc = json.loads(bundle)
        payload = doc["dsseEnvelope"]["payload"]
        return base64.b64decode(payload, validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ValueError(f"not a DSSE seal bundle: {exc}") from exc
