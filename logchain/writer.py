"""The one writer of a store: turns record batches into sealed segments, keeps the seal cadence.

A writer session runs ``open`` -> (``segment`` | ``heartbeat``)* -> ``close``. Records are held in
memory until their segment is sealed; a failed seal raises and leaves both the previous chain and
the pending records intact, so the caller can retry. The per-source checkpoint in each seal is
computed from the sealed records themselves, so it can never run ahead of them.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import structlog

from logchain import __version__, inbox
from logchain.errors import IntegrityError, SealingError, StorageError
from logchain.fileops import write_once
from logchain.record import RecordFlag
from logchain.segment import (
    RecordBatch,
    WrittenSegment,
    build_table,
    end_offsets,
    write_segment,
)
from logchain.statement import (
    CLOSED_KINDS,
    SealKind,
    SealStatement,
    SegmentSummary,
    SourceCheckpoint,
    statement_hash,
)
from logchain.store import Store
from logchain.types import Clock, Sealer, SealVerifier, format_ns

log = structlog.get_logger(__name__)

SYSTEM_SOURCE = inbox.SYSTEM_SOURCE
SYSTEM_PARSER = "logchain-system"
SYSTEM_PARSER_VERSION = "1"


@dataclass(frozen=True, slots=True)
class SegmentLimits:
    """When a segment is closed and sealed (whichever comes first)."""

    max_records: int = 1_000_000
    max_bytes: int = 256 * 1024 * 1024
    max_age_s: float = 60.0


@dataclass(frozen=True, slots=True)
class ChainTail:
    """Where the chain stands: what the next seal must link to and continue from."""

    next_seal_index: int
    prev_statement_sha256: str
    next_index: int
    last_kind: SealKind
    last_sealed_ns: int
    sources: tuple[SourceCheckpoint, ...]


def read_tail(store: Store, verifier: SealVerifier) -> ChainTail:
    """Verify the newest seal and return the chain tail; raises IntegrityError if it fails."""
    last = store.last_seal_index()
    if last is None:
        raise StorageError(
            "the store has no seals", path=store.root, hint="Create stores with `logchain init`."
        )
    bundle = store.seal_path(last).read_bytes()
    verified = verifier.verify(bundle, seal_index=last)
    stmt = SealStatement.from_payload(verified.payload, seal_index=last)
    if stmt.seal_index != last:
        raise IntegrityError(
            f"seal file {store.seal_path(last).name} holds seal {stmt.seal_index}",
            hint="Run `logchain verify` on the store before writing to it.",
        )
    return ChainTail(
        next_seal_index=last + 1,
        prev_statement_sha256=statement_hash(verified.payload).hex(),
        next_index=stmt.next_index,
        last_kind=stmt.kind,
        last_sealed_ns=int(verified.trusted_time.timestamp() * 1_000_000_000),
        sources=stmt.sources,
    )


class LogWriter:
    """Appends records to a store and seals them. Use as a context manager (takes the lock)."""

    def __init__(
        self,
        store: Store,
        sealer: Sealer,
        verifier: SealVerifier,
        clock: Clock,
        *,
        limits: SegmentLimits | None = None,
        command: str = "logchain",
    ) -> None:
        self.store = store
        self.sealer = sealer
        self.verifier = verifier
        self.clock = clock
        self.manifest = store.manifest()
        self.limits = limits or SegmentLimits(max_age_s=float(self.manifest.seal_interval_s))
        self.command = command
        self._lock = store.writer_lock(command)
        self._tail: ChainTail | None = None
        self._pending: list[pa.Table] = []
        self._pending_records = 0
        self._pending_bytes = 0
        self._pending_since_ns: int | None = None
        self._sealed_offsets: dict[tuple[str, int], SourceCheckpoint] = {}
        self._files: dict[tuple[str, int], SourceCheckpoint] = {}
        self._forgotten: set[tuple[str, int]] = set()
        self._claimed: list[Path] = []
        self.seals_written = 0
        self.records_sealed = 0

    # ------------------------------------------------------------ lifecycle
    def __enter__(self) -> LogWriter:
        self._lock.__enter__()
        try:
            self.open()
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None:
                self.close()
        finally:
            self._lock.__exit__(None, None, None)

    def open(self) -> None:
        """Recover from a crash if needed, then write the session's ``open`` seal."""
        tail = read_tail(self.store, self.verifier)
        self._recover_orphans(tail)
        inbox.recover(self.store, tail.next_seal_index - 1)
        self._tail = tail
        for cp in tail.sources:
            self._sealed_offsets[(cp.source, cp.file_id)] = cp
            self._files[(cp.source, cp.file_id)] = cp
        unclean = tail.last_kind not in CLOSED_KINDS
        self.append_system(
            "writer_opened",
            "writer session opened",
            {"command": self.command, "resumed_after_unclean_stop": unclean},
        )
        self._seal(SealKind.OPEN, None)
        self.drain_inbox()
        log.info("writer_opened", store=str(self.store.root), unclean=unclean)

    def close(self) -> None:
        """Seal pending records and write the ``close`` seal."""
        self.drain_inbox()
        self.append_system("writer_closed", "writer session closed", {"command": self.command})
        self.flush()
        self._seal(SealKind.CLOSE, None)
        log.info("writer_closed", seals=self.seals_written, records=self.records_sealed)

    @property
    def tail(self) -> ChainTail:
        if self._tail is None:
            raise RuntimeError("the writer is not open")
        return self._tail

    def checkpoint(self) -> tuple[SourceCheckpoint, ...]:
        """The sealed per-source offsets (where ingest resumes after a restart)."""
        return tuple(self._sealed_offsets[k] for k in sorted(self._sealed_offsets))

    # ------------------------------------------------------------ sources
    def register_file(self, info: SourceCheckpoint) -> None:
        """Describe a source file (path, device, fingerprint) for the checkpoints that follow.

        ``info.offset`` is where reading it starts: the checkpoint carries the file from the
        next seal on, at that offset until its sealed records move it further. So a restart
        knows every file being read, even one that has no records yet.
        """
        key = (info.source, info.file_id)
        self._files[key] = info
        self._forgotten.discard(key)

    def forget_file(self, source: str, file_id: int) -> None:
        """Drop a fully read, vanished file from later checkpoints."""
        self._forgotten.add((source, file_id))

    # ------------------------------------------------------------ records
    def append(self, batch: RecordBatch) -> None:
        """Take a batch of records; seals a segment when a limit is reached."""
        if len(batch) == 0:
            return
        now = self.clock.now_ns()
        table = build_table(
            batch, first_index=self.tail.next_index + self._pending_records, ingest_time_ns=now
        )
        self._pending.append(table)
        self._pending_records += table.num_rows
        self._pending_bytes += table.column("raw").nbytes
        if self._pending_since_ns is None:
            self._pending_since_ns = now
        if (
            self._pending_records >= self.limits.max_records
            or self._pending_bytes >= self.limits.max_bytes
        ):
            self.flush()

    def append_system(self, event: str, message: str, attrs: Mapping[str, object]) -> None:
        """Record one of logchain's own actions as a record of source ``logchain``."""
        host = socket.gethostname()
        body = {"event": event, "message": message, "host": host, "pid": os.getpid(), **attrs}
        raw = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
        self.append(
            RecordBatch(
                source=[SYSTEM_SOURCE],
                source_file_id=[0],
                source_offset=[0],
                raw=[raw],
                flags=[int(RecordFlag.NONE)],
                derived={
                    "host": [host],
                    "app": ["logchain"],
                    "pid": [os.getpid()],
                    "severity": ["info"],
                    "event_type": [event],
                    "action": [event],
                    "outcome": ["success"],
                    "message": [message],
                    "attrs": [json.dumps(dict(attrs), sort_keys=True, default=str)],
                    "parser": [SYSTEM_PARSER],
                    "parser_version": [SYSTEM_PARSER_VERSION],
                },
            )
        )

    def drain_inbox(self) -> int:
        """Take the events other processes queued in the inbox; returns how many."""
        events = inbox.pending(self.store)
        if not events:
            return 0
        claimed = inbox.claimed_dir(self.store)
        claimed.mkdir(exist_ok=True)
        for ev in events:
            target = claimed / ev.path.name
            os.replace(ev.path, target)
            self._claimed.append(target)
            self.append_system(ev.event, ev.message, {**ev.attrs, "inbox_file": ev.path.name})
        return len(events)

    def tick(self) -> None:
        """Keep the cadence: seal pending records or a heartbeat when a seal is due."""
        self.drain_inbox()
        now = self.clock.now_ns()
        interval_ns = int(self.manifest.seal_interval_s * 1e9)
        if self._pending_since_ns is not None and (
            now - self._pending_since_ns >= int(self.limits.max_age_s * 1e9)
            or now - self.tail.last_sealed_ns >= interval_ns
        ):
            self.flush()
        elif now - self.tail.last_sealed_ns >= interval_ns:
            self._seal(SealKind.HEARTBEAT, None)

    def seconds_until_due(self) -> float:
        """How long until :meth:`tick` must run again to keep the cadence."""
        now = self.clock.now_ns()
        due = self.tail.last_sealed_ns + int(self.manifest.seal_interval_s * 1e9)
        if self._pending_since_ns is not None:
            due = min(due, self._pending_since_ns + int(self.limits.max_age_s * 1e9))
        return max(0.0, (due - now) / 1e9)

    def flush(self) -> None:
        """Seal all pending records as one segment (no-op if none)."""
        if not self._pending:
            return
        table = pa.concat_tables(self._pending) if len(self._pending) > 1 else self._pending[0]
        seal_index = self.tail.next_seal_index
        path = self.store.segment_path(seal_index)
        written = write_segment(table, path, log_id=self.manifest.log_id, seal_index=seal_index)
        offsets = {k: v for k, v in end_offsets(table).items() if k[0] != SYSTEM_SOURCE}
        try:
            self._seal(SealKind.SEGMENT, written, offsets)
        except BaseException:
            # The segment was never sealed: remove it; its records stay pending for a retry.
            path.unlink(missing_ok=True)
            raise
        self._pending = []
        self._pending_records = 0
        self._pending_bytes = 0
        self._pending_since_ns = None
        self.records_sealed += written.count
        for path in self._claimed:  # their events are sealed now
            path.unlink(missing_ok=True)
        self._claimed.clear()

    # ------------------------------------------------------------ sealing
    def _seal(
        self,
        kind: SealKind,
        segment: WrittenSegment | None,
        offsets: Mapping[tuple[str, int], int] | None = None,
    ) -> None:
        tail = self.tail
        sealed = dict(self._sealed_offsets)
        for key, end in (offsets or {}).items():
            base = self._files.get(key) or sealed.get(key) or SourceCheckpoint(key[0], key[1], 0)
            sealed[key] = replace(base, offset=max(end, sealed[key].offset if key in sealed else 0))
        for key in self._forgotten:
            sealed.pop(key, None)
        for key, info in self._files.items():
            if key not in self._forgotten:  # a file without records yet: where reading starts
                sealed[key] = replace(
                    info, offset=sealed[key].offset if key in sealed else info.offset
                )
        now = self.clock.now_ns()
        summary = None
        if segment is not None:
            summary = SegmentSummary(
                name=segment.path.name,
                sha256=segment.sha256,
                size=segment.size,
                first_index=segment.first_index,
                count=segment.count,
                root_hash=segment.root_hash.hex(),
                chunk_size=segment.chunk_size,
                first_ingest_ns=segment.first_ingest_ns,
                last_ingest_ns=segment.last_ingest_ns,
                first_event=segment.first_event,
                last_event=segment.last_event,
            )
        stmt = SealStatement(
            log_id=self.manifest.log_id,
            seal_index=tail.next_seal_index,
            kind=kind,
            prev_statement_sha256=tail.prev_statement_sha256,
            sealed_at=format_ns(now),
            seal_interval_s=self.manifest.seal_interval_s,
            next_index=tail.next_index + (segment.count if segment else 0),
            clock=self.clock.state(),
            writer=writer_info(),
            segment=summary,
            sources=tuple(sealed[k] for k in sorted(sealed)),
            parsers=segment.parsers if segment else {},
        )
        payload = stmt.to_payload()
        try:
            bundle = self.sealer.seal(payload)
        except SealingError:
            log.error("seal_failed", seal_index=stmt.seal_index, kind=kind.value)
            raise
        write_once(self.store.seal_path(stmt.seal_index), bundle)
        self._sealed_offsets = sealed
        for key in self._forgotten:
            self._files.pop(key, None)
        self._forgotten.clear()
        self._tail = ChainTail(
            next_seal_index=stmt.seal_index + 1,
            prev_statement_sha256=statement_hash(payload).hex(),
            next_index=stmt.next_index,
            last_kind=kind,
            last_sealed_ns=now,
            sources=stmt.sources,
        )
        self.seals_written += 1
        log.info(
            "seal_written",
            seal_index=stmt.seal_index,
            kind=kind.value,
            records=segment.count if segment else 0,
        )

    def _recover_orphans(self, tail: ChainTail) -> None:
        """Move aside segment files that no seal covers (a crash between file and seal)."""
        segments, _ = self.store.segment_files()
        for idx, path in segments.items():
            if idx >= tail.next_seal_index:
                self.store.orphans_dir.mkdir(exist_ok=True)
                target = self.store.orphans_dir / f"{path.name}.{self.clock.now_ns()}"
                os.replace(path, target)
                log.warning("orphan_segment_moved", path=str(path), to=str(target))


def writer_info() -> dict[str, str]:
    """Who is writing: software version and host (bound into every seal)."""
    return {"software": f"logchain {__version__}", "host": socket.gethostname()}
