"""What a source's tailer asks of the pipeline, in the order it must happen.

Tailers never touch the writer: they yield these operations and the pipeline applies them in
order (record chunks may be parsed in worker processes meanwhile, but are appended in order).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ingest.identity import FileIdentity
from ingest.parsers import Parser
from ingest.split import Chunk
from logchain.statement import SourceCheckpoint

Tags = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class FileRef:
    """One file of one source: the name records carry, where it was found, and what it is."""

    source: str
    path: str
    identity: FileIdentity

    @property
    def key(self) -> tuple[str, int]:
        """The writer's checkpoint key: (source, file id = inode)."""
        return (self.source, self.identity.inode)

    def checkpoint(self) -> SourceCheckpoint:
        """The file's description for the writer's checkpoints (offset is the writer's)."""
        i = self.identity
        return SourceCheckpoint(
            source=self.source,
            file_id=i.inode,
            offset=0,
            device=i.device,
            path=self.path,
            fingerprint=i.fingerprint,
            fingerprint_len=i.fingerprint_len,
        )

    def attrs(self, **extra: object) -> dict[str, object]:
        """The file as system-record attributes, plus ``extra``."""
        return {"source": self.source, "path": self.path, **self.identity.to_attrs(), **extra}


@dataclass(frozen=True, slots=True)
class SystemEvent:
    """A system record (source ``logchain``) about what happened to a file."""

    event: str
    message: str
    attrs: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class StartFile:
    """Records of ``file`` follow, from byte ``offset``; ``event`` says why (stored first).

    An offset below what was already stored for the same (source, inode) starts a new
    generation of that file (truncated, or a reused inode): the pipeline seals the old
    generation out of the checkpoint before the new one's records.
    """

    file: FileRef
    offset: int
    event: SystemEvent


@dataclass(frozen=True, slots=True)
class UpdateFile:
    """The file's head hash now covers more bytes (the file grew); no records change."""

    file: FileRef


@dataclass(frozen=True, slots=True)
class ForgetFile:
    """The file is fully read and done with: leave it out of later checkpoints."""

    file: FileRef


@dataclass(frozen=True, slots=True)
class Records:
    """A chunk of ``file`` to split into records, parse and append."""

    file: FileRef
    chunk: Chunk
    parser: Parser
    tags: Tags
    max_line_bytes: int


Op = SystemEvent | StartFile | UpdateFile | ForgetFile | Records


def checkpoint_attrs(cp: SourceCheckpoint, **extra: object) -> dict[str, object]:
    """A checkpoint entry as system-record attributes, plus ``extra``."""
    return {
        "source": cp.source,
        "path": cp.path,
        "device": cp.device,
        "inode": cp.file_id,
        "fingerprint": cp.fingerprint,
        "fingerprint_len": cp.fingerprint_len,
        "offset": cp.offset,
        **extra,
    }
