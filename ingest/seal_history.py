"""How long a checkpoint entry has been sealed as it is: bounds the search for copies of a file
known only by a short head (see :mod:`ingest.copies`).

An entry is sealed again, unchanged, in every seal until the file is read further or its head
grows. The newest seal that does *not* carry it was written before the file was last seen as
the entry describes it, so a copy of that file made later has a modification time after it.
Statements are read without verifying them here: the chain's tail was verified when the writer
opened, and these times only narrow where to look, they are not evidence.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from logchain.errors import LogchainError
from logchain.statement import SealStatement, SourceCheckpoint
from logchain.store import Store, unverified_payload
from logchain.types import parse_rfc3339

#: Seals looked at per entry at most (an entry unchanged for longer is bounded by the oldest).
WALK_LIMIT = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class EntrySince:
    """``since(entry)`` for :func:`ingest.resume.plan_resume`, over a store's seals."""

    def __init__(self, store: Store, *, limit: int = WALK_LIMIT) -> None:
        self.store = store
        self.limit = limit
        self.last = store.last_seal_index()
        self._statements: dict[int, SealStatement | None] = {}

    def __call__(self, entry: SourceCheckpoint) -> int | None:
        """Sealing time (ns) of the newest seal without ``entry``; None if none can be read."""
        if self.last is None:
            return None
        oldest: int | None = None
        for index in range(self.last, max(-1, self.last - self.limit), -1):
            st = self._statement(index)
            if st is None:
                break
            oldest = _ns(st.sealed_at)
            if entry not in st.sources:
                break
        return oldest

    def _statement(self, index: int) -> SealStatement | None:
        if index not in self._statements:
            try:
                payload = unverified_payload(self.store.seal_path(index).read_bytes())
                self._statements[index] = SealStatement.from_payload(payload, seal_index=index)
            except (OSError, ValueError, LogchainError):
                self._statements[index] = None
        return self._statements[index]


def _ns(text: str) -> int:
    return (parse_rfc3339(text) - _EPOCH) // timedelta(microseconds=1) * 1000
