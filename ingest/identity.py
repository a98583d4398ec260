"""Which file is which: device, inode and the hash of the file's first bytes.

A path is not an identity (rotation renames files, and a new file takes the old name), and an
inode alone is not either (a deleted file's inode is reused, and copytruncate keeps the inode while
replacing the content). A file is the same file when its device and inode match *and* the hash of
its first ``fingerprint_len`` bytes is still the recorded one; a copy of a file (copytruncate's
copy, or a gzip-compressed rotation) is recognised by the head hash alone.

The hash fields are named ``fingerprint`` in :class:`~logchain.statement.SourceCheckpoint`
because that is what the seal's per-source table calls them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from logchain.statement import SourceCheckpoint

#: How many leading bytes identify a file's content.
HEAD_BYTES = 1024


def hash_head(head: bytes) -> str:
    """Hex SHA-256 of a file's first bytes (at most :data:`HEAD_BYTES` are used)."""
    return hashlib.sha256(head[:HEAD_BYTES]).hexdigest()


@dataclass(frozen=True, slots=True)
class FileIdentity:
    """A file as logchain knows it: where it lives on disk and how its content begins."""

    device: int
    inode: int
    fingerprint: str
    fingerprint_len: int

    @classmethod
    def of(cls, device: int, inode: int, head: bytes) -> FileIdentity:
        head = head[:HEAD_BYTES]
        return cls(device, inode, hash_head(head), len(head))

    def to_attrs(self) -> dict[str, object]:
        """The identity as system-record attributes."""
        return {
            "device": self.device,
            "inode": self.inode,
            "fingerprint": self.fingerprint,
            "fingerprint_len": self.fingerprint_len,
        }


def head_matches(head: bytes, fingerprint: str, fingerprint_len: int) -> bool:
    """Whether ``head`` (a file's first bytes) begins with the bytes that were hashed."""
    return len(head) >= fingerprint_len and hash_head(head[:fingerprint_len]) == fingerprint


def checkpoint_matches_head(cp: SourceCheckpoint, head: bytes) -> bool:
    """Whether a file whose first bytes are ``head`` holds the content ``cp`` was read from."""
    return head_matches(head, cp.fingerprint, cp.fingerprint_len)
