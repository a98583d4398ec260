"""Self-audit: every access to the store (sql, shell, detect, prove, replay) becomes a record.

The event is queued in the store's inbox (one small write-once file: cheap, and never lost),
then sealed: by the running daemon if one holds the lock, else by a short writer session here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import click
import structlog

from logchain import inbox
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import SystemClock
from logchain.errors import SealingError, StorageError, UsageError
from logchain.store import Store
from logchain.writer import LogWriter

log = structlog.get_logger(__name__)

#: Longest query text kept in the record (the hash always covers the whole text).
MAX_QUERY_TEXT = 64 * 1024


def query_attrs(text: str) -> dict[str, object]:
    """The query's text (cut at MAX_QUERY_TEXT) and the SHA-256 of all of it (BS-12)."""
    return {
        "query": text[:MAX_QUERY_TEXT],
        "query_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "query_truncated": len(text) > MAX_QUERY_TEXT,
    }


def submit_access(store: Store, event: str, message: str, attrs: Mapping[str, object]) -> bool:
    """Queue the access record (sealed later by :func:`seal_pending`).

    A read-only copy (an evidence pack on write-protected media) cannot take the record: that
    is said on stderr, and the query's own result is not withheld.
    """
    tail = store.last_seal_index()
    try:
        inbox.submit(store, SystemClock(), event, message, {**attrs, "store_last_seal": tail})
    except (StorageError, OSError) as exc:
        _warn(f"the access record could not be queued in {store.root}: {exc}")
        return False
    return True


def seal_pending(store: Store) -> bool:
    """Seal queued access records now unless a daemon holds the lock (it seals them itself)."""

    def drain() -> None:
        writer = LogWriter(
            store,
            store_sealer(store),
            store_verifier(store),
            SystemClock(),
            command="logchain audit",
        )
        with writer:
            pass

    try:
        sealed = inbox.drain_now(drain)
    except (UsageError, SealingError, StorageError) as exc:
        # An evidence copy has no signing key: the record waits in its inbox until a writer
        # with the key runs there; the copy's own seals are untouched.
        _warn(f"the access record is queued but not sealed ({exc.message})")
        return False
    log.info("access_records_sealed" if sealed else "access_records_left_to_daemon")
    return sealed


def _warn(text: str) -> None:
    log.warning("access_record_not_sealed", reason=text)
    click.echo(f"warning: {text}", err=True)


def record_access(store: Store, event: str, message: str, attrs: Mapping[str, object]) -> None:
    """Queue one access record and seal it (or leave it to the daemon)."""
    if submit_access(store, event, message, attrs):
        seal_pending(store)
