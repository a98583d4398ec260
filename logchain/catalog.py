"""The catalog of verified segments: what a query may read.

A segment is listed only if its seal verifies (signature, key, timestamps) and the file's SHA-256
equals the sealed one, so a query can never read an unsealed or altered file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from logchain.errors import IntegrityError, SegmentAltered, SegmentMissing
from logchain.fileops import file_sha256
from logchain.statement import SealStatement, statement_hash
from logchain.store import Store
from logchain.types import SealVerifier, parse_rfc3339


@dataclass(frozen=True, slots=True)
class SealRow:
    """One seal as the ``seals`` view shows it."""

    seal_index: int
    kind: str
    sealed_at: datetime
    trusted_time: datetime
    self_timestamped: bool
    key_id: str
    statement_sha256: str
    prev_statement_sha256: str | None
    segment: str | None
    segment_sha256: str | None
    first_index: int | None
    count: int | None
    root_hash: str | None
    first_event: datetime | None
    last_event: datetime | None


@dataclass(frozen=True, slots=True)
class Catalog:
    segments: tuple[Path, ...]
    seals: tuple[SealRow, ...]


SegmentFilter = Callable[[SealStatement], bool]


def verified_catalog(
    store: Store, verifier: SealVerifier, *, keep: SegmentFilter | None = None
) -> Catalog:
    """Verify every seal and the file hash of each kept segment.

    ``keep`` selects segments by their (verified) statement before their files are hashed, so a
    time-bounded query hashes only the segments it reads. Raises IntegrityError on any failure.
    """
    seal_files, _ = store.seal_files()
    rows: list[SealRow] = []
    segments: list[Path] = []
    for i in sorted(seal_files):
        verified = verifier.verify(seal_files[i].read_bytes(), seal_index=i)
        st = SealStatement.from_payload(verified.payload, seal_index=i)
        if st.seal_index != i:
            raise IntegrityError(f"seal file {i} holds seal {st.seal_index}")
        seg = st.segment
        if seg is not None and (keep is None or keep(st)):
            path = store.segment_path(i)
            if not path.is_file():
                raise SegmentMissing(i, path)
            actual = file_sha256(path)
            if actual != seg.sha256:
                raise SegmentAltered(i, path, seg.sha256, actual)
            segments.append(path)
        rows.append(
            SealRow(
                seal_index=i,
                kind=st.kind.value,
                sealed_at=parse_rfc3339(st.sealed_at),
                trusted_time=verified.trusted_time,
                self_timestamped=all(t.self_timestamped for t in verified.timestamps),
                key_id=verified.key_id,
                statement_sha256=statement_hash(verified.payload).hex(),
                prev_statement_sha256=st.prev_statement_sha256,
                segment=seg.name if seg else None,
                segment_sha256=seg.sha256 if seg else None,
                first_index=seg.first_index if seg else None,
                count=seg.count if seg else None,
                root_hash=seg.root_hash if seg else None,
                first_event=parse_rfc3339(seg.first_event) if seg and seg.first_event else None,
                last_event=parse_rfc3339(seg.last_event) if seg and seg.last_event else None,
            )
        )
    return Catalog(tuple(segments), tuple(rows))
