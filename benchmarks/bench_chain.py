"""Seal latency with the embedded local TSA (sign + ``openssl ts -reply`` + bundle + write).

Reference, measured in the same run: the bare ``openssl ts -reply`` call on an equivalent query,
which is the process floor of the local TSA.
"""

from __future__ import annotations

import hashlib
import time

import pytest
from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

from benchmarks.conftest import record_reference
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import FixedClock
from logchain.store import unverified_payload
from logchain.writer import LogWriter, SegmentLimits
from sealing.provision import TSA_DIR
from sealing.tsa import OpenSSLTsa


def _query() -> bytes:
    return (
        TimestampRequestBuilder()
        .data(hashlib.sha256(b"signature").digest())
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
        .as_bytes()
    )


@pytest.mark.benchmark(group="seal-latency")
def bench_seal_statement(benchmark, fresh_store):
    """Sign one seal statement and get its local RFC 3161 token (the Sealer call)."""
    store = fresh_store()
    sealer = store_sealer(store)
    statement = unverified_payload(store.seal_path(0).read_bytes())
    bundle = benchmark.pedantic(sealer.seal, args=(statement,), rounds=20, warmup_rounds=2)
    assert store_verifier(store).verify(bundle).payload == statement
    tsa = OpenSSLTsa(store.private_dir / TSA_DIR)
    query = _query()
    record_reference(benchmark, lambda: tsa(query), rounds=20)
    benchmark.extra_info["records"] = 0


@pytest.mark.benchmark(group="seal-latency")
def bench_heartbeat_seal(benchmark, fresh_store):
    """A whole heartbeat seal via tick(): statement, sign, timestamp, write-once + fsync."""
    store = fresh_store()
    clock = FixedClock(time.time_ns())
    limits = SegmentLimits(max_records=10**9, max_bytes=2**40, max_age_s=10**6)
    writer = LogWriter(store, store_sealer(store), store_verifier(store), clock, limits=limits)
    interval = store.manifest().seal_interval_s
    with writer:
        writer.flush()  # seal the writer_opened record: the ticks below are pure heartbeats
        before = writer.seals_written

        def setup():
            clock.advance(interval + 1)  # a heartbeat is due

        benchmark.pedantic(writer.tick, setup=setup, rounds=20, warmup_rounds=2)
        assert writer.seals_written > before
    benchmark.extra_info["records"] = 0
