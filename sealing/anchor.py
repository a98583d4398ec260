"""Anchoring existing seals: adding RFC 3161 tokens from another TSA to sealed bundles.

A token is over the seal's signature bytes, which do not change, and the chain links statement
hashes, not bundle files: adding a token leaves every link intact (``logchain timestamp``). The
new TSA must be in the trusted root, or its tokens cannot verify; :func:`trust_authority` adds
it from its certificate chain.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509

from logchain.errors import SealingError, TimestampInvalid, UsageError
from sealing.bundle import MAX_TIMESTAMPS, add_timestamps, parse_bundle
from sealing.trust import TimestampAuthority, TrustedRoot, Validity
from sealing.tsa import Transport, request_timestamp
from sealing.verifier import BundleVerifier


def trust_authority(root_path: Path, name: str, uri: str, chain_pem: Path) -> bool:
    """Add a TSA (chain leaf first, root last) to ``trusted_root.json``; False if already there.

    Its tokens are trusted from the leaf certificate's notBefore. Raises UsageError if the PEM
    file holds no certificate.
    """
    try:
        chain = tuple(x509.load_pem_x509_certificates(chain_pem.read_bytes()))
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"cannot read the TSA certificate chain {chain_pem}: {exc}",
            hint="Give a PEM file with the TSA's certificate first and its root CA last.",
        ) from exc
    root = TrustedRoot.load(root_path)
    if any(a.name == name or a.chain == chain for a in root.authorities):
        return False
    start = chain[0].not_valid_before_utc
    root.authorities.append(TimestampAuthority(name, uri, chain, Validity(start)))
    root.save(root_path)
    return True


def anchor_seal(
    bundle: bytes,
    *,
    tsa: str,
    transport: Transport,
    verifier: BundleVerifier,
    seal_index: int,
) -> bytes | None:
    """The bundle with one more token from ``tsa``, or None if it already holds one from it.

    The bundle must verify before (IntegrityError otherwise) and the result is verified again.
    Raises TimestampAuthorityError if the TSA fails, UsageError if ``tsa`` is not in the trusted
    root, SealingError if the bundle already carries the maximum number of tokens.
    """
    seal = verifier.verify(bundle, seal_index=seal_index)
    if any(t.tsa == tsa for t in seal.timestamps):
        return None
    parsed = parse_bundle(bundle, seal_index=seal_index)
    if len(parsed.tokens) >= MAX_TIMESTAMPS:
        raise SealingError(f"seal {seal_index} already carries {MAX_TIMESTAMPS} timestamps")
    token = request_timestamp(parsed.signature, transport, tsa=tsa)
    anchored = add_timestamps(bundle, [token.der])
    try:
        verifier.verify(anchored, seal_index=seal_index)
    except TimestampInvalid as exc:
        raise UsageError(
            f"the token from TSA {tsa} does not verify against the trusted root ({exc.reason})",
            hint="Add the TSA's certificate chain with --tsa-chain FILE.pem (leaf first).",
        ) from exc
    return anchored
