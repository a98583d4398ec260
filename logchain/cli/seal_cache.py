"""A cache of verified seals, so a query does not re-check every signature and timestamp.

The key is SHA-256 over the trust material (keyring.json and trusted_root.json bytes) and the
seal bundle's bytes: a changed bundle, keyring or trusted root is a different key, so the seal is
verified in full again and a change can never be hidden. Only the verification outcome (key id
and verified timestamps) is stored; the payload is always read from the bundle itself. Segment
files are still hashed on every query (the catalog does that). The cache lives in the user's state
directory (not in the store) and is an optimisation only: deleting it is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from pathlib import Path

import structlog

from logchain.store import unverified_payload
from logchain.types import SealVerifier, VerifiedSeal, VerifiedTimestamp, parse_rfc3339

log = structlog.get_logger(__name__)


class CachingVerifier:
    """A :class:`logchain.types.SealVerifier` that remembers seals it verified before."""

    def __init__(self, inner: SealVerifier, trust_files: list[Path], cache_file: Path) -> None:
        self._inner = inner
        h = hashlib.sha256()
        for path in trust_files:
            h.update(hashlib.sha256(path.read_bytes()).digest())
        self._trust = h.digest()
        self._db = sqlite3.connect(cache_file)
        self._db.execute("CREATE TABLE IF NOT EXISTS seals (key TEXT PRIMARY KEY, result TEXT)")
        self.hits = 0
        self.misses = 0

    def _key(self, bundle: bytes) -> str:
        return hashlib.sha256(self._trust + hashlib.sha256(bundle).digest()).hexdigest()

    def verify(self, bundle: bytes, *, seal_index: int | None = None) -> VerifiedSeal:
        """Verify ``bundle`` (from the cache when these exact bytes verified before).

        Raises what the wrapped verifier raises: SealInvalid, KeyNotValid, TimestampInvalid.
        """
        key = self._key(bundle)
        row = self._db.execute("SELECT result FROM seals WHERE key = ?", (key,)).fetchone()
        if row is not None:
            self.hits += 1
            doc = json.loads(row[0])
            stamps = tuple(
                VerifiedTimestamp(parse_rfc3339(t["gen_time"]), t["tsa"], t["self_timestamped"])
                for t in doc["timestamps"]
            )
            return VerifiedSeal(unverified_payload(bundle), doc["key_id"], stamps)
        verified = self._inner.verify(bundle, seal_index=seal_index)
        self.misses += 1
        doc = {
            "key_id": verified.key_id,
            "timestamps": [
                {
                    "gen_time": t.gen_time.isoformat(),
                    "tsa": t.tsa,
                    "self_timestamped": t.self_timestamped,
                }
                for t in verified.timestamps
            ],
        }
        with contextlib.suppress(sqlite3.Error):  # a cache that cannot be written is no cache
            self._db.execute("INSERT OR REPLACE INTO seals VALUES (?, ?)", (key, json.dumps(doc)))
        return verified

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.commit()
            self._db.close()
        log.debug("seal_cache_used", hits=self.hits, misses=self.misses)
