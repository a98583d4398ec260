"""Inclusion proofs for single records, made from a store and checked offline.

A proof carries the record's envelope, its leaf hash, its RFC 9162 audit path to the segment's
Merkle root, and the seal bundle that signs and timestamps that root. Checking it needs only the
proof and the trust material (keyring.json, trusted_root.json).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from logchain import leaves, merkle
from logchain.errors import IntegrityError, ProofInvalid, UsageError
from logchain.record import Envelope, RecordFlag
from logchain.schema import ENVELOPE_COLUMNS
from logchain.segment import read_meta, read_rows
from logchain.statement import SealStatement, statement_hash
from logchain.store import Store, unverified_payload
from logchain.types import SealVerifier, VerifiedSeal

PROOF_FORMAT = "logchain/v1/inclusion-proof"


@dataclass(frozen=True, slots=True)
class InclusionProof:
    index: int
    envelope: Envelope
    leaf_index: int
    tree_size: int
    audit_path: tuple[bytes, ...]
    root_hash: bytes
    seal_index: int
    segment_name: str
    segment_sha256: str
    bundle: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PROOF_FORMAT,
            "index": self.index,
            "envelope": self.envelope.to_json(),
            "envelope_base64": base64.b64encode(self.envelope.to_bytes()).decode(),
            "leaf_hash": merkle.hash_leaf(self.envelope.to_bytes()).hex(),
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "audit_path": [h.hex() for h in self.audit_path],
            "root_hash": self.root_hash.hex(),
            "seal_index": self.seal_index,
            "segment": {"name": self.segment_name, "sha256": self.segment_sha256},
            "seal_bundle": json.loads(self.bundle),
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> InclusionProof:
        """Parse a proof document; raises ProofInvalid if a field is missing or malformed."""
        try:
            if doc["format"] != PROOF_FORMAT:
                raise ValueError(f"format {doc['format']!r} is not {PROOF_FORMAT}")
            env = Envelope.from_bytes(base64.b64decode(doc["envelope_base64"], validate=True))
            if env != Envelope.from_json(doc["envelope"]):
                raise ValueError("envelope and envelope_base64 disagree")
            return cls(
                index=int(doc["index"]),
                envelope=env,
                leaf_index=int(doc["leaf_index"]),
                tree_size=int(doc["tree_size"]),
                audit_path=tuple(bytes.fromhex(h) for h in doc["audit_path"]),
                root_hash=bytes.fromhex(doc["root_hash"]),
                seal_index=int(doc["seal_index"]),
                segment_name=str(doc["segment"]["name"]),
                segment_sha256=str(doc["segment"]["sha256"]),
                bundle=json.dumps(doc["seal_bundle"]).encode(),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ProofInvalid(f"malformed proof document: {exc}") from exc


def make_proof(store: Store, verifier: SealVerifier, index: int) -> InclusionProof:
    """Build the inclusion proof for record ``index``.

    Raises UsageError if no segment holds ``index``; IntegrityError if the data does not match
    its seal (the store needs `logchain verify`).
    """
    seal_files, _ = store.seal_files()
    for i in sorted(seal_files, reverse=True):
        bundle = seal_files[i].read_bytes()
        try:  # find the seal by its unverified statement, then verify that one seal
            found = SealStatement.from_payload(unverified_payload(bundle), seal_index=i)
        except (ValueError, IntegrityError):
            continue
        seg = found.segment
        if seg is None or not seg.first_index <= index < seg.first_index + seg.count:
            continue
        verified = verifier.verify(bundle, seal_index=i)
        st = SealStatement.from_payload(verified.payload, seal_index=i)
        return _prove_in_segment(store, i, st, bundle, index)
    raise UsageError(
        f"no sealed segment holds record {index}",
        hint="Records are numbered from 0; `logchain verify --json` shows how many are sealed.",
    )


def _prove_in_segment(
    store: Store, seal_index: int, st: SealStatement, bundle: bytes, index: int
) -> InclusionProof:
    seg = st.segment
    if seg is None:
        raise UsageError(f"seal {seal_index} seals no segment")
    path = store.segment_path(seal_index)
    meta = read_meta(path)
    if leaves.root_from_chunk_roots(meta.chunk_roots).hex() != seg.root_hash:
        raise IntegrityError(
            f"segment {path.name}: its chunk roots do not fold to the sealed root",
            hint="Run `logchain verify` to locate the alteration.",
        )
    pos = index - seg.first_index
    c = pos // seg.chunk_size
    lo, hi = c * seg.chunk_size, min((c + 1) * seg.chunk_size, seg.count)
    rows = read_rows(path, lo, hi)
    chunk = leaves.split_hashes(leaves.leaf_hashes(rows))
    roots = leaves.as_nodes(meta.chunk_roots)
    if merkle.root_hash(chunk) != bytes(roots[c]):
        raise IntegrityError(
            f"segment {path.name}: records {seg.first_index + lo}..{seg.first_index + hi - 1} "
            "do not match their sealed chunk root",
            hint="Run `logchain verify` to locate the alteration.",
        )
    path_nodes = merkle.inclusion_proof_from_chunks(pos, seg.count, seg.chunk_size, chunk, roots)
    return InclusionProof(
        index=index,
        envelope=_envelope_at(rows, pos - lo),
        leaf_index=pos,
        tree_size=seg.count,
        audit_path=tuple(path_nodes),
        root_hash=bytes.fromhex(seg.root_hash),
        seal_index=seal_index,
        segment_name=seg.name,
        segment_sha256=seg.sha256,
        bundle=bundle,
    )


def _envelope_at(rows: pa.Table, row: int) -> Envelope:
    one = rows.slice(row, 1)
    one = one.set_column(
        one.schema.get_field_index("ingest_time"),
        "ingest_time",
        one.column("ingest_time").cast(pa.int64()),
    )
    r = one.select(list(ENVELOPE_COLUMNS)).to_pylist()[0]
    ingest = r["ingest_time"]
    return Envelope(
        index=int(r["index"]),
        ingest_time_ns=int(ingest),
        source=str(r["source"]),
        source_file_id=int(r["source_file_id"]),
        source_offset=int(r["source_offset"]),
        raw=bytes(r["raw"]),
        flags=RecordFlag(int(r["flags"])),
        version=int(r["version"]),
    )


@dataclass(frozen=True, slots=True)
class ProofResult:
    index: int
    seal_index: int
    seal: VerifiedSeal
    statement_sha256: str


def verify_proof(proof: InclusionProof, verifier: SealVerifier) -> ProofResult:
    """Check the proof offline. Raises ProofInvalid, SealInvalid or TimestampInvalid."""
    seal = verifier.verify(proof.bundle, seal_index=proof.seal_index)
    st = SealStatement.from_payload(seal.payload, seal_index=proof.seal_index)
    seg = st.segment
    if seg is None:
        raise ProofInvalid(f"seal {proof.seal_index} seals no segment")
    if st.seal_index != proof.seal_index:
        raise ProofInvalid(
            f"the bundle is seal {st.seal_index}, the proof names {proof.seal_index}"
        )
    if seg.root_hash != proof.root_hash.hex() or seg.count != proof.tree_size:
        raise ProofInvalid("the proof's root or tree size differ from what the seal signed")
    if seg.name != proof.segment_name or seg.sha256 != proof.segment_sha256:
        raise ProofInvalid("the proof names a different segment than the seal")
    if proof.envelope.index != proof.index or proof.index - seg.first_index != proof.leaf_index:
        raise ProofInvalid(
            f"record {proof.envelope.index} is not at position {proof.leaf_index} of a segment "
            f"starting at {seg.first_index}"
        )
    leaf = merkle.hash_leaf(proof.envelope.to_bytes())
    merkle.verify_inclusion(
        proof.leaf_index, proof.tree_size, leaf, proof.audit_path, proof.root_hash
    )
    return ProofResult(proof.index, proof.seal_index, seal, statement_hash(seal.payload).hex())
