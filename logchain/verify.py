"""Verify a whole store: every seal, every link, every segment, the cadence, the chain's end.

:func:`verify_log` returns a :class:`VerifyReport` when everything holds and otherwise raises an
:class:`~logchain.errors.IntegrityError` (one problem) or
:class:`~logchain.errors.MultipleIntegrityErrors` (several), with the partial report attached as
``error.report``. Empty input is an error, never a pass.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from logchain import leaves
from logchain.errors import (
    CadenceGap,
    ChainBroken,
    ChainForked,
    ChainTruncated,
    CheckpointMismatch,
    EmptyStore,
    IntegrityError,
    MultipleIntegrityErrors,
    SealInvalid,
    SealMissing,
    TimeOrderViolated,
    UnsealedSegment,
    WitnessMissing,
)
from logchain.fileops import file_sha256
from logchain.segment_check import check_segment
from logchain.statement import CLOSED_KINDS, SealKind, SealStatement, statement_hash
from logchain.store import Store
from logchain.types import Clock, SealVerifier, VerifiedSeal, format_ns, parse_rfc3339

log = structlog.get_logger(__name__)

#: A seal is owed at most this many seal intervals after the previous one.
CADENCE_FACTOR = 2
#: Slack for RFC 3161 accuracy when comparing genTimes of consecutive seals.
TIME_ORDER_SLACK = timedelta(seconds=1)

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class SealView:
    """One seal as verification saw it."""

    index: int
    verified: VerifiedSeal | None = None
    statement: SealStatement | None = None
    hash: str | None = None


@dataclass(slots=True)
class VerifyReport:
    """What was verified, for people (``summary_lines``) and machines (``to_json``)."""

    store: str
    log_id: str = ""
    seals: int = 0
    segments: int = 0
    records: int = 0
    bytes: int = 0
    first_time: str | None = None
    last_time: str | None = None
    state: str = "unknown"
    signers: set[str] = field(default_factory=set)
    tsas: dict[str, bool] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    errors: list[IntegrityError] = field(default_factory=list)
    last_statement_sha256: str | None = None
    hash_backend: str = leaves.available_backend()

    @property
    def self_timestamped_only(self) -> bool:
        return bool(self.tsas) and all(self.tsas.values())

    def to_json(self) -> dict[str, object]:
        return {
            "ok": not self.errors,
            "store": self.store,
            "log_id": self.log_id,
            "seals": self.seals,
            "segments": self.segments,
            "records": self.records,
            "bytes": self.bytes,
            "first_time": self.first_time,
            "last_time": self.last_time,
            "state": self.state,
            "signers": sorted(self.signers),
            "timestamp_authorities": [
                {"name": n, "self_timestamped": s} for n, s in sorted(self.tsas.items())
            ],
            "time_assurance": "self-timestamped" if self.self_timestamped_only else "external TSA",
            "last_statement_sha256": self.last_statement_sha256,
            "warnings": self.warnings,
            "errors": [e.to_json() for e in self.errors],
            "hash_backend": self.hash_backend,
        }


def verify_log(
    store: Store,
    verifier: SealVerifier,
    clock: Clock,
    *,
    live: bool = False,
    strict: bool = False,
    witnesses: Iterable[str] = (),
    use_threads: bool = True,
    progress: Progress | None = None,
) -> VerifyReport:
    """Verify every seal and segment of ``store``. Raises IntegrityError on any problem.

    ``live`` also fails a chain that is closed or whose newest seal is overdue (health checks);
    ``strict`` turns cadence warnings into errors; ``witnesses`` are statement hashes (hex) that
    must be in the chain.
    """
    manifest = store.manifest()
    report = VerifyReport(store=str(store.root), log_id=manifest.log_id)
    problems = report.errors
    seal_files, stray_seals = store.seal_files()
    for p in stray_seals:
        problems.append(SealInvalid(None, f"unexpected file {p.name} in seals/"))
    if not seal_files:
        raise EmptyStore(store.root)

    views = _verify_seals(store, verifier, seal_files, problems)
    report.seals = len(seal_files)
    _check_links(views, manifest.log_id, problems)
    _check_time(views, report, manifest.seal_interval_s, strict, problems)
    _check_end(views, report, clock, manifest.seal_interval_s, live, problems)
    _check_segments(store, views, report, use_threads, progress, problems)
    _check_witnesses(views, witnesses, problems)

    last = views[max(views)]
    report.last_statement_sha256 = last.hash
    for v in views.values():
        if v.verified:
            report.signers.add(v.verified.key_id)
            for t in v.verified.timestamps:
                report.tsas[t.tsa] = t.self_timestamped
    if problems:
        err: IntegrityError = (
            problems[0] if len(problems) == 1 else MultipleIntegrityErrors(problems)
        )
        err.report = report  # type: ignore[attr-defined]
        raise err
    log.info("store_verified", seals=report.seals, records=report.records)
    return report


# ---------------------------------------------------------------- seals and links


def _verify_seals(
    store: Store,
    verifier: SealVerifier,
    seal_files: Mapping[int, object],
    problems: list[IntegrityError],
) -> dict[int, SealView]:
    views: dict[int, SealView] = {}
    for i in range(max(seal_files) + 1):
        if i not in seal_files:
            problems.append(SealMissing(i, detail="its file is absent from seals/"))
            continue
        view = SealView(i)
        views[i] = view
        try:
            data = store.seal_path(i).read_bytes()
            view.verified = verifier.verify(data, seal_index=i)
            view.statement = SealStatement.from_payload(view.verified.payload, seal_index=i)
            view.hash = statement_hash(view.verified.payload).hex()
        except IntegrityError as exc:
            problems.append(exc)
            continue
        st = view.statement
        if st.seal_index != i:
            problems.append(
                SealInvalid(
                    i,
                    f"the seal file holds seal {st.seal_index} of the chain (replayed or renamed)",
                )
            )
            view.statement = None
    return views


def _check_links(views: dict[int, SealView], log_id: str, problems: list[IntegrityError]) -> None:
    by_hash = {v.hash: i for i, v in views.items() if v.hash}
    children: dict[str, list[int]] = defaultdict(list)
    for i, v in sorted(views.items()):
        if v.statement and v.statement.prev_statement_sha256:
            children[v.statement.prev_statement_sha256].append(i)
    forked: set[int] = set()
    for parent_hash, kids in children.items():
        if len(kids) > 1 and parent_hash in by_hash:
            problems.append(ChainForked(by_hash[parent_hash], kids))
            forked.update(kids)
    for i, v in sorted(views.items()):
        st = v.statement
        if st is None:
            continue
        if st.log_id != log_id:
            problems.append(SealInvalid(i, f"seal belongs to log {st.log_id!r}, not {log_id!r}"))
        if i == 0:
            if st.kind is not SealKind.GENESIS or st.prev_statement_sha256 is not None:
                problems.append(SealInvalid(0, "seal 0 is not a genesis seal"))
            continue
        if st.kind is SealKind.GENESIS:
            problems.append(SealInvalid(i, "a genesis seal after seal 0"))
        prev = views.get(i - 1)
        if prev is None or prev.statement is None or i in forked:
            continue  # already reported (missing or invalid predecessor, or a fork)
        if st.prev_statement_sha256 != prev.hash:
            problems.append(ChainBroken(i, str(prev.hash), str(st.prev_statement_sha256)))
            continue
        first = st.segment.first_index if st.segment else prev.statement.next_index
        count = st.segment.count if st.segment else 0
        if first != prev.statement.next_index or st.next_index != first + count:
            problems.append(
                SealInvalid(
                    i,
                    "record numbering does not continue from the previous seal",
                    detail=f"previous ends before {prev.statement.next_index}, this starts at "
                    f"{first} and ends before {st.next_index}",
                )
            )


def _check_time(
    views: dict[int, SealView],
    report: VerifyReport,
    interval_s: int,
    strict: bool,
    problems: list[IntegrityError],
) -> None:
    allowed = CADENCE_FACTOR * interval_s
    ordered = [
        (i, v.statement, v.verified)
        for i, v in sorted(views.items())
        if v.statement is not None and v.verified is not None
    ]
    if ordered:
        report.first_time = ordered[0][1].sealed_at
        report.last_time = ordered[-1][1].sealed_at
    for (pi, pst, pv), (ci, cst, cv) in itertools.pairwise(ordered):
        if ci != pi + 1:
            continue
        if cv.trusted_time + TIME_ORDER_SLACK < pv.trusted_time:
            problems.append(
                TimeOrderViolated(ci, cv.trusted_time.isoformat(), pv.trusted_time.isoformat())
            )
        if pst.kind in CLOSED_KINDS:
            continue
        gap = _seconds(pst.sealed_at, cst.sealed_at)
        if gap <= allowed:
            continue
        if cst.kind is SealKind.OPEN:
            report.warnings.append(
                f"the writer stopped without closing after seal {pi} ({pst.sealed_at}) and "
                f"resumed {gap:.0f} s later at seal {ci}; the chain links, so nothing was removed"
            )
            continue
        gap_error = CadenceGap(pi, gap, allowed)
        if strict:
            problems.append(gap_error)
        else:
            report.warnings.append(
                gap_error.message
                + " (the seals link, so no seal was removed; use --strict to fail)"
            )


def _check_end(
    views: dict[int, SealView],
    report: VerifyReport,
    clock: Clock,
    interval_s: int,
    live: bool,
    problems: list[IntegrityError],
) -> None:
    last = views.get(max(views))
    if last is None or last.statement is None:
        return
    allowed = CADENCE_FACTOR * interval_s
    now_ns = clock.now_ns()
    age = (now_ns - parse_rfc3339(last.statement.sealed_at).timestamp() * 1e9) / 1e9
    truncated = ChainTruncated(last.index, last.statement.sealed_at, format_ns(now_ns), allowed)
    if last.statement.kind in CLOSED_KINDS:
        report.state = "closed"
        if live:
            problems.append(
                IntegrityError(
                    f"the chain was closed at seal {last.index} ({last.statement.sealed_at}): "
                    "no writer is running",
                    hint="Start `logchain watch`, or verify without --live for an archive.",
                )
            )
        return
    if age > allowed:
        report.state = "truncated?"
        problems.append(truncated)
    else:
        report.state = "open (writer active)"


def _check_segments(
    store: Store,
    views: dict[int, SealView],
    report: VerifyReport,
    use_threads: bool,
    progress: Progress | None,
    problems: list[IntegrityError],
) -> None:
    sealed = {
        i: v.statement.segment
        for i, v in views.items()
        if v.statement is not None and v.statement.segment is not None
    }
    known = {s.sha256: i for i, s in sealed.items()}
    files, stray = store.segment_files()
    for p in stray:
        problems.append(UnsealedSegment(p, detail="not a segment file name"))
    for i, p in sorted(files.items()):
        view = views.get(i)
        if view is not None and view.statement is None:
            continue  # its seal failed verification: already reported, not a second error
        if i not in sealed:
            sha = file_sha256(p)
            detail = (
                f"byte-identical to the segment of seal {known[sha]} (replayed)"
                if sha in known
                else "no seal names it"
            )
            problems.append(UnsealedSegment(p, detail=detail))
    total = sum(s.size for s in sealed.values())
    done = 0
    prev_cp: dict[tuple[str, int], int] = {}
    for i in sorted(views):
        st = views[i].statement
        if st is None:
            continue
        seg = st.segment
        if seg is not None:
            try:
                result = check_segment(
                    i, seg, store.segment_path(i), known_hashes=known, use_threads=use_threads
                )
            except IntegrityError as exc:
                problems.append(exc)
            else:
                report.segments += 1
                report.records += result.records
                report.bytes += result.bytes
                _check_checkpoint(i, st, result.end_offsets, prev_cp, problems)
            done += seg.size
            if progress:
                progress(done, total)
        prev_cp = {(c.source, c.file_id): c.offset for c in st.sources}


def _check_checkpoint(
    seal_index: int,
    st: SealStatement,
    ends: Mapping[tuple[str, int], int],
    prev_cp: dict[tuple[str, int], int],
    problems: list[IntegrityError],
) -> None:
    sealed = {(c.source, c.file_id): c.offset for c in st.sources}
    for key, end in ends.items():
        if key not in sealed:
            continue  # the file was dropped from the checkpoint (rotated away and drained)
        want = max(end, prev_cp.get(key, 0))
        if sealed[key] != want:
            problems.append(CheckpointMismatch(seal_index, key[0], key[1], sealed[key], want))


def _check_witnesses(
    views: dict[int, SealView], witnesses: Iterable[str], problems: list[IntegrityError]
) -> None:
    hashes = {v.hash for v in views.values() if v.hash}
    for w in witnesses:
        if w.lower() not in hashes:
            problems.append(WitnessMissing(w))


def _seconds(a: str, b: str) -> float:
    da: datetime = parse_rfc3339(a)
    db: datetime = parse_rfc3339(b)
    return (db - da).total_seconds()
