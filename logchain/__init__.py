"""logchain: a forensic-grade audit-log pipeline.

The core package owns the evidential format v1: record envelopes (:mod:`logchain.record`),
RFC 6962 Merkle trees (:mod:`logchain.merkle`), write-once Parquet segments
(:mod:`logchain.segment`), the seal statement and chain (:mod:`logchain.statement`) and
whole-store verification (:mod:`logchain.verify`). Signing, timestamping, ingest and queries are
adapters wired in by :mod:`logchain.cli`.

Verifying a store from Python::

    from pathlib import Path
    from logchain.store import Store
    from logchain.verify import verify_log
    from logchain.clock import SystemClock
    from sealing.verifier import BundleVerifier

    store = Store(Path("evidence"))
    report = verify_log(store, BundleVerifier.from_store(store), SystemClock())
    print(report.records, "records verified")
"""

__version__ = "0.1.0"
