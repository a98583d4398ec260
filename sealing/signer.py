"""LocalKeySealer: signs seal statements with a local ECDSA P-256 key and timestamps them."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from sealing.bundle import INTOTO, make_bundle, pae
from sealing.trust import key_hint
from sealing.tsa import Transport, timestamp_all


class LocalKeySealer:
    """A :class:`logchain.types.Sealer` with a local key and one or more RFC 3161 TSAs."""

    def __init__(
        self,
        key: ec.EllipticCurvePrivateKey,
        tsas: Sequence[tuple[str, Transport]],
        *,
        required_timestamps: int = 1,
    ) -> None:
        self._key = key
        self._tsas = list(tsas)
        self._required = required_timestamps
        self._hint = key_hint(key.public_key())

    @property
    def key_id(self) -> str:
        return self._hint

    def seal(self, payload: bytes) -> bytes:
        """DSSE-sign ``payload`` and timestamp the signature.

        Raises TimestampAuthorityError if too few TSAs answer; nothing is written.
        """
        signature = self._key.sign(pae(INTOTO, payload), ec.ECDSA(hashes.SHA256()))
        tokens = timestamp_all(signature, self._tsas, required=self._required)
        return make_bundle(payload, signature, self._hint, [t.der for t in tokens])
