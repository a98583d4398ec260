"""HttpTsa and timestamp_all against a loopback HTTP front end of the store's real OpenSSL TSA."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from logchain.cli.init import init_store
from logchain.cli.wiring import store_verifier
from logchain.clock import SystemClock
from logchain.errors import TimestampAuthorityError
from logchain.store import Store
from logchain.verify import verify_log
from logchain.writer import LogWriter, SegmentLimits
from sealing.keys import load_key
from sealing.provision import SIGNING_KEY, TSA_DIR
from sealing.signer import LocalKeySealer
from sealing.trust import TrustedRoot
from sealing.tsa import HttpTsa, OpenSSLTsa, request_timestamp, timestamp_all
from sealing.verifier import BundleVerifier
from tests.conftest import lines_batch
from tests.unit.sealing import loopback

SIGNATURE = b"\x30\x45" + bytes(range(69))


@pytest.fixture
def serve() -> Iterator[Callable[[loopback.Handler], loopback.LoopbackTsa]]:
    """Starts loopback TSAs on 127.0.0.1:0 and stops them after the test."""
    servers: list[loopback.LoopbackTsa] = []

    def start(handler: loopback.Handler) -> loopback.LoopbackTsa:
        servers.append(loopback.LoopbackTsa(handler))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


@pytest.fixture
def local_tsa(store: Store) -> OpenSSLTsa:
    return OpenSSLTsa(store.private_dir / TSA_DIR)


@pytest.fixture
def other_store(tmp_path: Path) -> Store:
    """A second store: its local TSA plays an independent, external TSA."""
    return init_store(tmp_path / "external")


def trust_both(store: Store, other: Store) -> BundleVerifier:
    """The store's verifier with the other store's TSA added to its trusted root."""
    root = TrustedRoot.load(store.trusted_root_path)
    root.authorities.extend(TrustedRoot.load(other.trusted_root_path).authorities)
    root.save(store.trusted_root_path)
    return store_verifier(store)


def sealer_with(store: Store, tsas, *, required: int = 1) -> LocalKeySealer:
    return LocalKeySealer(
        load_key(store.private_dir / SIGNING_KEY), tsas, required_timestamps=required
    )


class TestHttpTsa:
    def test_token_from_http_tsa_verifies(self, store, local_tsa, serve):
        """A seal timestamped only over HTTP verifies against the store's trusted root."""
        server = serve(loopback.honest(local_tsa))
        bundle = sealer_with(store, [(server.url, HttpTsa(server.url))]).seal(b'{"x":1}')
        seal = store_verifier(store).verify(bundle)
        assert len(seal.timestamps) == 1
        assert server.requests == 1

    def test_several_tsas_all_tokens_in_bundle(self, store, other_store, local_tsa, serve):
        """Two TSAs over HTTP: both tokens are in the bundle and both verify."""
        a = serve(loopback.honest(local_tsa))
        b = serve(loopback.honest(OpenSSLTsa(other_store.private_dir / TSA_DIR)))
        sealer = sealer_with(store, [(a.url, HttpTsa(a.url)), (b.url, HttpTsa(b.url))], required=2)
        seal = trust_both(store, other_store).verify(sealer.seal(b'{"x":2}'))
        names = sorted(t.tsa for t in seal.timestamps)
        assert len(names) == 2
        assert names[0] != names[1]

    def test_one_failing_tsa_among_several_is_logged(self, store, local_tsa, serve):
        """One TSA answering HTTP 500 does not stop the seal; a warning names it."""
        good = serve(loopback.honest(local_tsa))
        bad = serve(loopback.status(500))
        tsas = [(bad.url, HttpTsa(bad.url)), (good.url, HttpTsa(good.url))]
        with capture_logs() as logs:
            bundle = sealer_with(store, tsas).seal(b'{"x":3}')
        assert len(store_verifier(store).verify(bundle).timestamps) == 1
        warnings = [e for e in logs if e["event"] == "timestamp_failed"]
        assert [(w["log_level"], w["tsa"]) for w in warnings] == [("warning", bad.url)]
        assert "HTTP 500" in warnings[0]["error"]

    @pytest.mark.parametrize(
        ("make", "timeout", "message"),
        [
            (lambda t: loopback.status(415), 5.0, r"answered HTTP 415"),
            (lambda t: loopback.status(500), 5.0, r"answered HTTP 500"),
            (
                lambda t: loopback.content_type("text/html", t),
                5.0,
                r"Content-Type 'text/html', not application/timestamp-reply",
            ),
            (lambda t: loopback.garbage(), 5.0, r"sent an undecodable reply"),
            (lambda t: loopback.slow(t, 1.0), 0.2, r"did not answer within 0\.2 s"),
            (lambda t: loopback.rewrite_request(t, loopback.other_nonce), 5.0, r"wrong nonce"),
            (
                lambda t: loopback.rewrite_request(t, loopback.other_message),
                5.0,
                r"timestamped a different message",
            ),
        ],
        ids=["415", "500", "content-type", "garbage", "timeout", "nonce", "imprint"],
    )
    def test_bad_answers_raise_clear_errors(self, local_tsa, serve, make, timeout, message):
        """Each kind of bad TSA answer becomes a TimestampAuthorityError saying what was wrong."""
        server = serve(make(local_tsa))
        with pytest.raises(TimestampAuthorityError, match=message):
            request_timestamp(SIGNATURE, HttpTsa(server.url, timeout_s=timeout), tsa=server.url)

    def test_unreachable_tsa(self, serve):
        """A TSA whose port is closed is reported as unreachable."""
        server = serve(loopback.status(200))
        url = server.url
        server.close()
        with pytest.raises(TimestampAuthorityError, match=r"unreachable"):
            HttpTsa(url, timeout_s=2)(b"query")

    def test_required_count_not_met(self, local_tsa, serve):
        """Fewer tokens than required is an error that lists every TSA's failure."""
        good = serve(loopback.honest(local_tsa))
        bad = serve(loopback.garbage())
        tsas = [(good.url, HttpTsa(good.url)), (bad.url, HttpTsa(bad.url))]
        with pytest.raises(
            TimestampAuthorityError, match=r"1 of 2 TSAs gave a timestamp, 2 needed"
        ):
            timestamp_all(SIGNATURE, tsas, required=2)


class TestFailedSealLeavesTheChainIntact:
    def test_writer_retries_without_loss_or_duplication(self, store, local_tsa, serve):
        """A seal that cannot get its tokens changes nothing; the retry seals each record once."""
        local = serve(loopback.honest(local_tsa))
        flaky = serve(loopback.status(503))
        sealer = sealer_with(
            store, [(local.url, HttpTsa(local.url)), (flaky.url, HttpTsa(flaky.url))], required=2
        )
        limits = SegmentLimits(max_records=10**6)
        flaky.handler = loopback.honest(local_tsa)  # the open seal succeeds
        with LogWriter(store, sealer, store_verifier(store), SystemClock(), limits=limits) as w:
            flaky.handler = loopback.status(503)
            before = sorted(p.name for p in store.seals_dir.iterdir())
            segments_before = sorted(p.name for p in store.segments_dir.iterdir())
            w.append(lines_batch("app.log", [f"line {i}".encode() for i in range(50)]))
            with pytest.raises(TimestampAuthorityError, match=r"1 of 2 TSAs gave a timestamp"):
                w.flush()
            assert sorted(p.name for p in store.seals_dir.iterdir()) == before
            assert sorted(p.name for p in store.segments_dir.iterdir()) == segments_before
            assert w.records_sealed == 0
            flaky.handler = loopback.honest(local_tsa)
            w.flush()
            assert w.records_sealed == 51  # the open record and the 50 lines, once each
        report = verify_log(store, store_verifier(store), SystemClock())
        assert report.records == 52  # plus the close record
        assert report.segments == 2
