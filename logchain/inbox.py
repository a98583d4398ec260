"""The store's append-only inbox: how processes that are not the writer get records into the chain.

A query, a proof export or a threshold change is itself evidence (G2.6, BS-12). Such a process
drops one JSON file per event into ``STORE/inbox/`` (write-once, named so that names sort in
submission order). The writer ingests the inbox as the source ``logchain`` and deletes each file
only after the record holding it is sealed, so an event is never lost because the writer was busy
or down. When no writer runs, :func:`drain_now` takes the lock briefly and seals the inbox itself.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import structlog

from logchain.errors import StorageError, StoreLocked
from logchain.fileops import write_once
from logchain.statement import SealKind, SealStatement
from logchain.store import Store, unverified_payload
from logchain.types import Clock

INBOX = "inbox"
#: Source name of logchain's own records (the same as the writer's).
SYSTEM_SOURCE = "logchain"

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class InboxEvent:
    """One submitted event: its file and decoded body."""

    path: Path
    event: str
    message: str
    attrs: Mapping[str, object]


def inbox_dir(store: Store) -> Path:
    return store.root / INBOX


def submit(
    store: Store, clock: Clock, event: str, message: str, attrs: Mapping[str, object]
) -> Path:
    """Queue an event for the writer; returns its inbox file. Raises StorageError on failure."""
    d = inbox_dir(store)
    d.mkdir(exist_ok=True)
    body = {
        "event": event,
        "message": message,
        "submitted_ns": clock.now_ns(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "user": _user(),
        **attrs,
    }
    name = f"{clock.now_ns():020d}-{os.getpid()}-{secrets.token_hex(4)}.json"
    path = d / name
    write_once(path, json.dumps(body, sort_keys=True, default=str).encode(), mode=0o444)
    return path


def pending(store: Store) -> list[InboxEvent]:
    """Events waiting in the inbox, oldest first (unreadable files are reported, not skipped)."""
    d = inbox_dir(store)
    if not d.is_dir():
        return []
    out: list[InboxEvent] = []
    for p in sorted(d.iterdir()):
        if p.name.startswith(".") or p.suffix != ".json":
            continue
        try:
            body = json.loads(p.read_bytes())
            if not isinstance(body, dict):
                raise ValueError("not a JSON object")
            event = str(body.pop("event"))
            message = str(body.pop("message", ""))
        except (OSError, ValueError, KeyError) as exc:
            raise StorageError(
                f"inbox file is unreadable: {exc}",
                path=p,
                hint="Move the file out of the inbox after keeping a copy for the record.",
            ) from exc
        out.append(InboxEvent(p, event, message, body))
    return out


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (KeyError, ImportError):
        return str(os.getuid())


Drainer = Callable[[], None]


def drain_now(drain: Drainer) -> bool:
    """Run ``drain`` (a short writer session that seals the inbox).

    Returns False when another writer holds the lock: that writer ingests the inbox itself.
    """
    try:
        drain()
    except StoreLocked:
        return False
    return True


def claimed_dir(store: Store) -> Path:
    return inbox_dir(store) / "claimed"


def recover(store: Store, last_seal: int) -> None:
    """After a crash: delete claimed files whose events were sealed, put the rest back."""
    claimed = claimed_dir(store)
    files = sorted(claimed.iterdir()) if claimed.is_dir() else []
    if not files:
        return
    sealed = sealed_inbox_names(store, last_seal)
    for path in files:
        if path.name in sealed:
            path.unlink()
        else:
            os.replace(path, inbox_dir(store) / path.name)
            log.warning("inbox_event_requeued", file=path.name)


def sealed_inbox_names(store: Store, last_seal: int) -> set[str]:
    """Inbox file names in the system records sealed since the newest ``open`` seal."""
    names: set[str] = set()
    for i in range(last_seal, -1, -1):
        stmt = SealStatement.from_payload(unverified_payload(store.seal_path(i).read_bytes()))
        if stmt.segment is not None:
            table = pq.read_table(
                store.segment_path(i),
                columns=["source", "raw"],
                filters=[("source", "=", SYSTEM_SOURCE)],
            )
            for raw in table.column("raw").to_pylist():
                try:
                    name = json.loads(raw or b"{}").get("inbox_file")
                except ValueError:
                    continue
                if isinstance(name, str):
                    names.add(name)
        if stmt.kind in (SealKind.OPEN, SealKind.GENESIS):
            break
    return names
