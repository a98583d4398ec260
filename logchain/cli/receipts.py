"""Receipts and findings on disk: signing, writing, and reading back only what verifies.

Layout (beside seals/ and segments/, write-once)::

    STORE/findings/<run_id>.parquet        the findings of one detect run
    STORE/findings/<run_id>.receipt.json   its receipt (a Sigstore bundle signed by the store key)

A ``sql --receipt PATH`` writes PATH and the result rows to ``<PATH stem>.result.parquet``.
"""

from __future__ import annotations

from pathlib import Path

from logchain.errors import ReceiptInvalid, SealInvalid, StorageError, TimestampInvalid
from logchain.fileops import file_sha256, write_once
from logchain.store import Store
from logchain.types import Sealer, SealVerifier
from queries.receipt import FileRef, Receipt

FINDINGS_DIR = "findings"
RECEIPT_SUFFIX = ".receipt.json"


def findings_dir(store: Store) -> Path:
    return store.root / FINDINGS_DIR


def sign_receipt(receipt: Receipt, sealer: Sealer, path: Path) -> None:
    """Sign and timestamp the receipt and write it once to ``path``. Raises SealingError."""
    bundle = sealer.seal(receipt.to_payload())
    path.parent.mkdir(parents=True, exist_ok=True)
    write_once(path, bundle, mode=0o444)


def read_receipt(path: Path, verifier: SealVerifier) -> Receipt:
    """Verify a receipt bundle and decode it. Raises ReceiptInvalid naming the file."""
    try:
        bundle = path.read_bytes()
    except OSError as exc:
        raise StorageError(f"cannot read the receipt: {exc.strerror}", path=path) from exc
    try:
        verified = verifier.verify(bundle)
        return Receipt.from_payload(verified.payload)
    except (SealInvalid, TimestampInvalid) as exc:
        raise ReceiptInvalid(path, exc.message) from exc


def result_path(receipt_path: Path) -> Path:
    name = receipt_path.name.removesuffix(".json").removesuffix(".receipt")
    return receipt_path.with_name(f"{name}.result.parquet")


def verified_findings(store: Store, verifier: SealVerifier) -> list[tuple[Path, FileRef]]:
    """Findings files whose receipts verify and state their SHA-256, oldest run first.

    Raises ReceiptInvalid for a findings file without a valid receipt, or one that changed.
    """
    d = findings_dir(store)
    if not d.is_dir():
        return []
    log_id = store.manifest().log_id
    out: list[tuple[Path, FileRef]] = []
    for path in sorted(d.glob("*.parquet")):
        receipt_file = path.with_name(path.name.removesuffix(".parquet") + RECEIPT_SUFFIX)
        if not receipt_file.is_file():
            raise ReceiptInvalid(receipt_file, f"findings file {path.name} has no receipt")
        receipt = read_receipt(receipt_file, verifier)
        ref = receipt.result.file
        if receipt.log_id != log_id or ref is None or ref.name != path.name:
            raise ReceiptInvalid(receipt_file, f"it does not sign {path.name} of this store")
        actual = file_sha256(path)
        if actual != ref.sha256:
            raise ReceiptInvalid(
                receipt_file, f"{path.name} changed: sha256 signed {ref.sha256}, file has {actual}"
            )
        out.append((path, ref))
    return out
