"""The inbox: events from other processes reach the chain exactly once, even across a crash."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from logchain import inbox
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import SystemClock
from logchain.writer import LogWriter


def _writer(store):
    return LogWriter(
        store, store_sealer(store), store_verifier(store), SystemClock(), command="test"
    )


def _system_events(store):
    names = []
    for p in sorted(store.segments_dir.glob("*.parquet")):
        t = pq.read_table(p, columns=["source", "raw"])
        for src, raw in zip(
            t.column("source").to_pylist(), t.column("raw").to_pylist(), strict=True
        ):
            if src == "logchain":
                names.append(json.loads(raw))
    return names


class TestInbox:
    def test_events_are_sealed_and_removed(self, store):
        """Submitted events become sealed system records and leave the inbox."""
        clock = SystemClock()
        inbox.submit(store, clock, "sql_run", "query ran", {"query_sha256": "ab", "rows": 3})
        inbox.submit(store, clock, "proof_exported", "proof made", {"index": 7})
        assert inbox.drain_now(lambda: _writer(store).__enter__().__exit__(None, None, None))
        events = [e for e in _system_events(store) if "inbox_file" in e]
        assert [e["event"] for e in events] == ["sql_run", "proof_exported"]
        assert events[0]["rows"] == 3
        assert inbox.pending(store) == []
        assert not any(inbox.claimed_dir(store).iterdir())

    def test_crash_after_seal_does_not_duplicate(self, store):
        """Claimed files whose events were sealed are deleted on recovery, not re-ingested."""
        clock = SystemClock()
        path = inbox.submit(store, clock, "sql_run", "query ran", {})
        w = _writer(store)
        with store.writer_lock("test"):
            w.open()  # drains: the event is claimed and sealed by a later flush
            claimed = inbox.claimed_dir(store) / path.name
            w.flush()
            # simulate a crash between sealing and deleting the claimed file
            claimed.parent.mkdir(exist_ok=True)
            claimed.write_text(path.read_text() if path.exists() else '{"event":"sql_run"}')
        with _writer(store):
            pass
        events = [e for e in _system_events(store) if e.get("inbox_file") == path.name]
        assert len(events) == 1

    def test_crash_before_seal_requeues(self, store):
        """A claimed file whose event never got sealed goes back into the inbox and is sealed."""
        clock = SystemClock()
        path = inbox.submit(store, clock, "detect_run", "rules ran", {})
        claimed = inbox.claimed_dir(store)
        claimed.mkdir()
        path.rename(claimed / path.name)  # claimed by a writer that then died before sealing
        with _writer(store):
            pass
        events = [e for e in _system_events(store) if e.get("inbox_file") == path.name]
        assert len(events) == 1
