"""The composition root: builds the sealing and query adapters the core is handed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from logchain.store import Store
from sealing.keys import load_key
from sealing.provision import SIGNING_KEY, TSA_DIR
from sealing.signer import LocalKeySealer
from sealing.tsa import HttpTsa, OpenSSLTsa, Transport
from sealing.verifier import BundleVerifier


def store_verifier(store: Store) -> BundleVerifier:
    """Verifier over the store's own trust directory."""
    return BundleVerifier.from_trust_dir(store.trust_dir)


def trust_verifier(trust_dir: Path) -> BundleVerifier:
    return BundleVerifier.from_trust_dir(trust_dir)


def store_sealer(
    store: Store,
    *,
    key_path: Path | None = None,
    tsa_urls: Sequence[str] = (),
    local_tsa: bool = True,
) -> LocalKeySealer:
    """Sealer with the store's key (or ``key_path``), its local TSA and any HTTP TSAs."""
    key = load_key(key_path or store.private_dir / SIGNING_KEY)
    tsas: list[tuple[str, Transport]] = []
    if local_tsa:
        tsas.append(("local", OpenSSLTsa(store.private_dir / TSA_DIR)))
    tsas.extend((url, HttpTsa(url)) for url in tsa_urls)
    return LocalKeySealer(key, tsas)
