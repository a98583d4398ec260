"""RFC 6962 / RFC 9162 Merkle tree hashing, pure and small.

* leaf hash ``SHA-256(0x00 || data)``, node hash ``SHA-256(0x01 || left || right)``;
* a tree of n > 1 leaves splits at the largest power of two smaller than n;
* inclusion proofs are RFC 9162 audit paths, leaf to root.

logchain also uses *chunk roots*: the roots of the aligned subtrees of ``chunk_size`` leaves (a
power of two). They are real nodes of the tree, so the root follows from them
(:func:`root_from_chunks`), which lets a verifier find which chunk of a segment was altered.

>>> leaves = [hash_leaf(b"a"), hash_leaf(b"b"), hash_leaf(b"c")]
>>> root = root_hash(leaves)
>>> proof = inclusion_proof(2, leaves)
>>> root_from_inclusion_proof(2, 3, leaves[2], proof) == root
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from logchain.errors import ProofInvalid
from logchain.types import LeafHash, NodeHash, RootHash

HASH_SIZE = 32
_EMPTY_ROOT = RootHash(hashlib.sha256(b"").digest())


def hash_leaf(data: bytes) -> LeafHash:
    """RFC 6962 leaf hash of ``data`` (a record envelope's canonical bytes)."""
    return LeafHash(hashlib.sha256(b"\x00" + data).digest())


def hash_children(left: bytes, right: bytes) -> NodeHash:
    """RFC 6962 interior node hash."""
    return NodeHash(hashlib.sha256(b"\x01" + left + right).digest())


def root_hash(nodes: Sequence[bytes]) -> RootHash:
    """Root of the tree whose bottom level is ``nodes`` (leaf hashes, or aligned chunk roots).

    Bottom-up pairing that promotes a lone last node is equal to RFC 6962's split at the largest
    power of two. The empty tree's root is SHA-256 of the empty string.
    """
    if not nodes:
        return _EMPTY_ROOT
    level: list[bytes] = list(nodes)
    while len(level) > 1:
        nxt: list[bytes] = [
            hash_children(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return RootHash(level[0])


def chunk_roots(leaves: Sequence[bytes], chunk_size: int) -> list[NodeHash]:
    """Roots of consecutive aligned chunks of ``chunk_size`` leaves (the last may be shorter)."""
    _check_chunk_size(chunk_size)
    return [
        NodeHash(root_hash(leaves[i : i + chunk_size])) for i in range(0, len(leaves), chunk_size)
    ]


def root_from_chunks(roots: Sequence[bytes]) -> RootHash:
    """Tree root from aligned chunk roots (valid because chunks are subtrees of the tree)."""
    return root_hash(roots)


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[NodeHash]:
    """RFC 9162 audit path for leaf ``index`` among ``leaves`` (leaf-level first)."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"index {index} outside a tree of {len(leaves)} leaves")
    path: list[NodeHash] = []
    lo, hi, target = 0, len(leaves), index
    # Walk from the root down, collecting siblings; reverse at the end (leaf-first order).
    while hi - lo > 1:
        split = _largest_power_of_two_below(hi - lo)
        mid = lo + split
        if target < mid:
            path.append(NodeHash(root_hash(leaves[mid:hi])))
            hi = mid
        else:
            path.append(NodeHash(root_hash(leaves[lo:mid])))
            lo = mid
    path.reverse()
    return path


def inclusion_proof_from_chunks(
    index: int, tree_size: int, chunk_size: int, chunk: Sequence[bytes], roots: Sequence[bytes]
) -> list[NodeHash]:
    """Audit path for ``index`` from the leaves of its own chunk plus all chunk roots.

    ``chunk`` holds the leaf hashes of chunk ``index // chunk_size``; ``roots`` all chunk roots.
    """
    _check_chunk_size(chunk_size)
    c = index // chunk_size
    inner = inclusion_proof(index - c * chunk_size, chunk)
    outer = inclusion_proof(c, roots) if len(roots) > 1 else []
    if len(roots) != -(-tree_size // chunk_size):
        raise ValueError(f"{len(roots)} chunk roots do not fit a tree of {tree_size} leaves")
    return inner + outer


def root_from_inclusion_proof(
    index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes]
) -> RootHash:
    """RFC 9162 section 2.1.3.2: the root implied by ``leaf`` at ``index`` and its audit path.

    Raises ProofInvalid if the path has the wrong length for ``index`` and ``tree_size``.
    """
    if not 0 <= index < tree_size:
        raise ProofInvalid(f"index {index} outside a tree of {tree_size} leaves")
    fn, sn = index, tree_size - 1
    r = leaf
    for p in proof:
        if len(p) != HASH_SIZE:
            raise ProofInvalid(f"proof node of {len(p)} bytes, expected {HASH_SIZE}")
        if sn == 0:
            raise ProofInvalid("audit path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = hash_children(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hash_children(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofInvalid("audit path is shorter than the tree is deep")
    return RootHash(r)


def verify_inclusion(
    index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofInvalid unless ``proof`` shows ``leaf`` at ``index`` in the tree with ``root``."""
    calculated = root_from_inclusion_proof(index, tree_size, leaf, proof)
    if calculated != root:
        raise ProofInvalid(
            f"the path leads to root {calculated.hex()}, the sealed root is {root.hex()}"
        )


def _largest_power_of_two_below(n: int) -> int:
    """Largest power of two strictly less than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_chunk_size(chunk_size: int) -> None:
    if chunk_size < 1 or chunk_size & (chunk_size - 1):
        raise ValueError(f"chunk size must be a power of two, got {chunk_size}")
