"""The one exception hierarchy of logchain.

Every error a user can see is a :class:`LogchainError`. Each carries the evidence as fields (which
seal, which segment, which index, expected and actual hashes) and says, in ``diagnostics()``, what
went wrong and what to do next. ``logchain.cli.main`` is the only place that catches them; it prints
``diagnostics()`` to stderr and exits with ``exit_code``:

* 0 -- ok
* 1 -- integrity failure (:class:`IntegrityError` and its subclasses)
* 2 -- usage (:class:`UsageError`, :class:`ConfigError`)
* 3 -- operational: I/O, network, TSA, locks (everything else)
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path

EXIT_OK = 0
EXIT_INTEGRITY = 1
EXIT_USAGE = 2
EXIT_OPERATIONAL = 3


class LogchainError(Exception):
    """Root of every error logchain raises on purpose."""

    exit_code: int = EXIT_OPERATIONAL
    #: What the user should do next; subclasses override or pass ``hint=``.
    default_hint: str = "Run the command again with --debug for the full traceback."

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def diagnostics(self) -> str:
        """Plain-language description plus the next step to take."""
        return f"{self.message}\nNext step: {self.hint}"

    def to_json(self) -> dict[str, object]:
        """The error as a JSON-ready mapping (for ``--json`` reports)."""
        fields = {k: _jsonable(v) for k, v in vars(self).items() if k not in {"message", "hint"}}
        return {"error": type(self).__name__, "message": self.message, "hint": self.hint, **fields}


def _jsonable(value: object) -> object:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, LogchainError):
        return value.to_json()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class TransientError(LogchainError):
    """Mixin: the operation may succeed if retried (network, TSA busy, lock held)."""


# ---------------------------------------------------------------- usage and configuration


class UsageError(LogchainError):
    """The command line or an argument is wrong."""

    exit_code = EXIT_USAGE
    default_hint = "See `logchain --help` or `logchain COMMAND --help`."


class ConfigError(UsageError):
    """A configuration file or value is invalid; names the file and the key."""

    def __init__(self, message: str, *, path: Path | None = None, key: str | None = None) -> None:
        where = " ".join(
            p for p in (f"in {path}" if path else "", f"at key {key!r}" if key else "") if p
        )
        super().__init__(
            f"{message} ({where})" if where else message,
            hint="Fix the value in the configuration file; docs/CONFIG.md lists every key.",
        )
        self.path = path
        self.key = key


# ---------------------------------------------------------------- operational


class StorageError(LogchainError):
    """Reading or writing the store failed."""

    default_hint = "Check that the path exists, is writable, and the disk is not full."

    def __init__(self, message: str, *, path: Path | None = None, hint: str | None = None) -> None:
        super().__init__(message if path is None else f"{message}: {path}", hint=hint)
        self.path = path


class StoreLocked(StorageError, TransientError):
    """Another writer holds the store's lock."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(
            f"the store is locked by another writer ({holder})",
            path=path,
            hint="Stop that writer (it flushes and seals on SIGTERM) or wait for it to finish.",
        )
        self.holder = holder


class IngestError(LogchainError):
    """Reading a source failed."""

    default_hint = "Check the source path and its permissions."


class ParseError(IngestError):
    """A line could not be parsed (the line itself is always kept, with parse_error set)."""

    def __init__(self, message: str, *, source: str, line_no: int) -> None:
        super().__init__(f"{source}:{line_no}: {message}")
        self.source = source
        self.line_no = line_no


class SealingError(LogchainError):
    """Making a seal (signing or timestamping) failed; the previous chain is untouched."""

    default_hint = (
        "Check the signing key and the TSA settings; the chain up to the previous seal is intact."
    )


class TimestampAuthorityError(SealingError, TransientError):
    """A TSA did not answer or answered with an error."""

    default_hint = "Check that the TSA URL is reachable, or add another TSA to the configuration."


class QueryError(LogchainError):
    """A query or detection failed."""

    default_hint = "Check the SQL; `logchain sql --help` lists the views you can query."

    def __init__(self, message: str, *, detection: str | None = None) -> None:
        super().__init__(f"{detection}: {message}" if detection else message)
        self.detection = detection


class QueryInvalid(QueryError):
    """The SQL itself is wrong (syntax, unknown column, forbidden file access): a usage error."""

    exit_code = EXIT_USAGE


# ---------------------------------------------------------------- integrity (exit code 1)


class IntegrityError(LogchainError):
    """The evidence is not what was sealed. Never retry: investigate."""

    exit_code = EXIT_INTEGRITY
    default_hint = (
        "Treat the store as compromised from this point: keep a copy as found, and compare with "
        "a backup or an exported evidence pack. docs/VERIFYING.md explains each error."
    )


class EmptyStore(IntegrityError):
    """There is nothing to verify: no seals (verification never passes on empty input)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"no seals found in {path}: there is nothing to verify",
            hint="Check the --store path; a store made by `logchain init` has a genesis seal.",
        )
        self.path = path


class SealInvalid(IntegrityError):
    """A seal's bundle is malformed, its signature does not verify, or its key is not trusted."""

    def __init__(self, seal_index: int | None, reason: str, *, detail: str = "") -> None:
        where = f"seal {seal_index}" if seal_index is not None else "seal"
        super().__init__(f"{where}: {reason}" + (f" ({detail})" if detail else ""))
        self.seal_index = seal_index
        self.reason = reason
        self.detail = detail


class KeyNotValid(SealInvalid):
    """The signing key is trusted, but not at the time the seal was timestamped."""


class TimestampInvalid(IntegrityError):
    """No trusted RFC 3161 timestamp verifies over the seal's signature."""

    def __init__(self, seal_index: int | None, reason: str) -> None:
        where = f"seal {seal_index}" if seal_index is not None else "seal"
        super().__init__(f"{where}: timestamp invalid: {reason}")
        self.seal_index = seal_index
        self.reason = reason


class ChainBroken(IntegrityError):
    """A seal does not link to the seal before it."""

    def __init__(self, seal_index: int, expected: str, actual: str, *, detail: str = "") -> None:
        super().__init__(
            f"seal {seal_index} does not link to seal {seal_index - 1}: expected previous "
            f"statement hash {expected}, seal says {actual}" + (f" ({detail})" if detail else "")
        )
        self.seal_index = seal_index
        self.expected = expected
        self.actual = actual
        self.detail = detail


class SealMissing(IntegrityError):
    """A seal number is absent from the chain."""

    def __init__(self, seal_index: int, *, detail: str = "") -> None:
        super().__init__(f"seal {seal_index} is missing" + (f" ({detail})" if detail else ""))
        self.seal_index = seal_index
        self.detail = detail


class ChainForked(IntegrityError):
    """Two seals claim the same predecessor."""

    def __init__(self, parent: int, children: Sequence[int]) -> None:
        kids = ", ".join(str(c) for c in children)
        super().__init__(f"the chain forks: seals {kids} all claim seal {parent} as predecessor")
        self.parent = parent
        self.children = list(children)


class ChainTruncated(IntegrityError):
    """The chain ends without a close seal and no seal arrived within the cadence since."""

    def __init__(self, last_seal: int, last_time: str, now: str, allowed_s: float) -> None:
        super().__init__(
            f"the chain ends at seal {last_seal} ({last_time}) without a close seal, and no seal "
            f"followed by {now} although seals are due every {allowed_s:g} s: records after "
            f"{last_time} may have been removed (or the writer stopped without closing)"
        )
        self.last_seal = last_seal
        self.last_time = last_time
        self.now = now
        self.allowed_s = allowed_s


class CadenceGap(IntegrityError):
    """Two consecutive seals of one writer session are further apart than the cadence allows."""

    def __init__(self, after_seal: int, gap_s: float, allowed_s: float) -> None:
        super().__init__(
            f"{gap_s:.1f} s pass between seal {after_seal} and seal {after_seal + 1}, more than "
            f"the {allowed_s:g} s the seal cadence allows: seals may have been removed there"
        )
        self.after_seal = after_seal
        self.gap_s = gap_s
        self.allowed_s = allowed_s


class TimeOrderViolated(IntegrityError):
    """A seal's trusted time is earlier than its predecessor's."""

    def __init__(self, seal_index: int, time: str, previous_time: str) -> None:
        super().__init__(
            f"seal {seal_index} is timestamped {time}, before seal {seal_index - 1} "
            f"({previous_time}): the seal was made (or re-made) out of order"
        )
        self.seal_index = seal_index
        self.time = time
        self.previous_time = previous_time


class WitnessMissing(IntegrityError):
    """A seal that was witnessed earlier (by its statement hash) is not in the chain."""

    def __init__(self, statement_hash: str) -> None:
        super().__init__(
            f"the witnessed seal with statement hash {statement_hash} is not in the chain: "
            "the chain was truncated or rewritten after it was witnessed"
        )
        self.statement_hash = statement_hash


class SegmentMissing(IntegrityError):
    """A sealed segment file is absent."""

    def __init__(self, seal_index: int, path: Path) -> None:
        super().__init__(f"seal {seal_index}: segment file is missing: {path}")
        self.seal_index = seal_index
        self.path = path


class SegmentAltered(IntegrityError):
    """A segment file's bytes differ from what its seal signed."""

    def __init__(
        self, seal_index: int, path: Path, expected: str, actual: str, *, detail: str = ""
    ) -> None:
        super().__init__(
            f"seal {seal_index}: segment {path.name} was altered: sha256 sealed {expected}, "
            f"file has {actual}" + (f"; {detail}" if detail else "")
        )
        self.seal_index = seal_index
        self.path = path
        self.expected = expected
        self.actual = actual
        self.detail = detail


class SegmentUnreadable(SegmentAltered):
    """A segment file cannot be decoded as a logchain v1 segment (truncated or corrupted)."""


class UnsealedSegment(IntegrityError):
    """A file sits among the segments that no seal covers (inserted or replayed)."""

    def __init__(self, path: Path, *, detail: str = "") -> None:
        super().__init__(f"{path} is not covered by any seal" + (f" ({detail})" if detail else ""))
        self.path = path
        self.detail = detail


class RecordKind(Enum):
    """How a run of records departs from the sealed index sequence."""

    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    DUPLICATED = "duplicated"


class IndexDiscontinuity(IntegrityError):
    """The index column of a segment does not run first_index, first_index+1, ... as sealed."""

    def __init__(
        self, seal_index: int, path: Path, kind: RecordKind, index: int, row: int, found: int
    ) -> None:
        super().__init__(
            f"seal {seal_index}: segment {path.name}: record {index} {kind.value} "
            f"(row {row} holds index {found})"
        )
        self.seal_index = seal_index
        self.path = path
        self.kind = kind
        self.index = index
        self.row = row
        self.found = found


class RootMismatch(IntegrityError):
    """The Merkle root recomputed from the records differs from the sealed root."""

    def __init__(
        self,
        seal_index: int,
        path: Path,
        expected: str,
        calculated: str,
        *,
        first_index: int,
        last_index: int,
    ) -> None:
        span = (
            f"record {first_index}"
            if first_index == last_index
            else f"a record in {first_index}..{last_index}"
        )
        super().__init__(
            f"seal {seal_index}: segment {path.name}: Merkle root mismatch, {span} was altered "
            f"(sealed root {expected}, calculated {calculated})"
        )
        self.seal_index = seal_index
        self.path = path
        self.expected = expected
        self.calculated = calculated
        self.first_index = first_index
        self.last_index = last_index


class CheckpointMismatch(IntegrityError):
    """A seal's per-source offsets disagree with the records it covers."""

    def __init__(
        self, seal_index: int, source: str, file_id: int, sealed: int, records: int
    ) -> None:
        super().__init__(
            f"seal {seal_index}: checkpoint for source {source!r} file {file_id} says offset "
            f"{sealed}, the records reach offset {records}"
        )
        self.seal_index = seal_index
        self.source = source
        self.file_id = file_id
        self.sealed = sealed
        self.records = records


class ProofInvalid(IntegrityError):
    """An inclusion proof does not lead to the sealed root, or its seal does not verify."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"inclusion proof invalid: {reason}")
        self.reason = reason


class MultipleIntegrityErrors(IntegrityError):
    """Verification found more than one problem; all are listed, in chain order."""

    def __init__(self, errors: Sequence[IntegrityError]) -> None:
        self.errors = list(errors)
        lines = "\n".join(f"  - {type(e).__name__}: {e.message}" for e in self.errors)
        super().__init__(f"{len(self.errors)} integrity problems found:\n{lines}")

    def diagnostics(self) -> str:
        return f"{self.message}\nNext step: {self.hint}"


# ---------------------------------------------------------------- queries: receipts and thresholds


class ReceiptInvalid(IntegrityError):
    """A query receipt (or the findings file it signs) does not verify."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"receipt {path}: {reason}")
        self.path = path
        self.reason = reason


class ReplayMismatch(IntegrityError):
    """Re-running a receipt did not reproduce its result; ``differences`` says exactly what."""

    def __init__(self, receipt: Path, differences: Sequence[str]) -> None:
        self.differences = list(differences)
        lines = "\n".join(f"  - {d}" for d in self.differences)
        super().__init__(
            f"replay of {receipt} does not reproduce the signed result:\n{lines}",
            hint="Compare the differing segments or versions listed above; replay against the "
            "evidence copy the receipt was made from.",
        )
        self.receipt = receipt


class ThresholdsRejected(LogchainError):
    """A G6 threshold change was refused (unsigned, wrong role, wrong store, or replayed)."""

    exit_code = EXIT_USAGE

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"threshold change {path} rejected: {reason}",
            hint="Sign a new thresholds file with a higher serial using a key that has the "
            "threshold-admin role (`logchain thresholds sign`), then apply that bundle.",
        )
        self.path = path
        self.reason = reason
