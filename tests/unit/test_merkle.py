"""RFC 6962 hashing, inclusion proofs and chunk roots, against a recursive reference."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logchain import merkle
from logchain.errors import ProofInvalid


def reference_mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, written recursively as the RFC states it."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + reference_mth(leaves[:k]) + reference_mth(leaves[k:])).digest()


def leaves_of(n: int) -> list[bytes]:
    return [merkle.hash_leaf(str(i).encode()) for i in range(n)]


class TestKnownVectors:
    def test_leaf_and_node_prefixes(self):
        """Leaves hash with 0x00 and nodes with 0x01, as RFC 6962 requires."""
        assert merkle.hash_leaf(b"") == bytes.fromhex(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        )
        assert merkle.hash_children(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()

    def test_empty_tree_root(self):
        """The empty tree's root is SHA-256 of nothing."""
        assert merkle.root_hash([]).hex() == (
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )


class TestRoot:
    @given(st.integers(min_value=1, max_value=300))
    def test_root_equals_recursive_reference(self, n):
        """The iterative root equals RFC 6962's recursive definition for any size."""
        leaves = leaves_of(n)
        assert merkle.root_hash(leaves) == reference_mth(leaves)

    @given(st.integers(min_value=1, max_value=300), st.sampled_from([1, 2, 4, 8, 64]))
    def test_root_from_chunk_roots_equals_root(self, n, chunk):
        """Aligned chunk roots are tree nodes: the root folds from them."""
        leaves = leaves_of(n)
        assert merkle.root_from_chunks(merkle.chunk_roots(leaves, chunk)) == reference_mth(leaves)

    def test_chunk_size_must_be_power_of_two(self):
        """A chunk size that is not a power of two is refused."""
        with pytest.raises(ValueError, match="power of two"):
            merkle.chunk_roots(leaves_of(4), 3)


class TestInclusion:
    @given(st.data())
    def test_every_proof_verifies(self, data):
        """The audit path of every leaf leads to the root."""
        n = data.draw(st.integers(min_value=1, max_value=200))
        i = data.draw(st.integers(min_value=0, max_value=n - 1))
        leaves = leaves_of(n)
        proof = merkle.inclusion_proof(i, leaves)
        merkle.verify_inclusion(i, n, leaves[i], proof, merkle.root_hash(leaves))

    @given(st.data())
    def test_every_mutated_proof_fails(self, data):
        """Changing any node, the index, the leaf or the path length breaks the proof.

        (The tree size alone is not a mutation here: a root is only meaningful with its size, and
        seals sign both; ``verify_proof`` compares the proof's size with the sealed count.)
        """
        n = data.draw(st.integers(min_value=2, max_value=200))
        i = data.draw(st.integers(min_value=0, max_value=n - 1))
        leaves = leaves_of(n)
        root = merkle.root_hash(leaves)
        proof = merkle.inclusion_proof(i, leaves)
        mutation = data.draw(st.sampled_from(["node", "index", "leaf", "drop", "extra"]))
        leaf, idx, size = leaves[i], i, n
        if mutation == "node":
            k = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
            proof[k] = bytes([proof[k][0] ^ 1]) + proof[k][1:]
        elif mutation == "index":
            idx = (i + data.draw(st.integers(min_value=1, max_value=n - 1))) % n
        elif mutation == "leaf":
            leaf = merkle.hash_leaf(b"forged")
        elif mutation == "drop":
            proof = proof[:-1]
        else:
            proof = [*proof, leaves[0]]
        with pytest.raises(ProofInvalid, match="inclusion proof invalid: "):
            merkle.verify_inclusion(idx, size, leaf, proof, root)

    @given(st.data())
    def test_proof_from_chunks_equals_full_proof(self, data):
        """A proof built from one chunk's leaves plus chunk roots is the standard audit path."""
        n = data.draw(st.integers(min_value=1, max_value=300))
        chunk = data.draw(st.sampled_from([1, 4, 16, 64]))
        i = data.draw(st.integers(min_value=0, max_value=n - 1))
        leaves = leaves_of(n)
        roots = merkle.chunk_roots(leaves, chunk)
        c = i // chunk
        mine = merkle.inclusion_proof_from_chunks(
            i, n, chunk, leaves[c * chunk : (c + 1) * chunk], roots
        )
        assert mine == merkle.inclusion_proof(i, leaves)

    def test_index_outside_tree_is_invalid(self):
        """An index at or past the tree size cannot be proven."""
        with pytest.raises(ProofInvalid, match="outside a tree"):
            merkle.root_from_inclusion_proof(3, 3, b"\x00" * 32, [])
