"""Edge cases of the detections on small synthetic stores (real seals, real DuckDB)."""

from __future__ import annotations

from queries.thresholds import RequestLimit, Thresholds
from queries.window import TimeWindow
from tests.queries.helpers import at, by_entity, findings, rows_batch, write_batches, write_rows


def _fail(t: float, ip: str = "198.51.100.7", user: str = "root") -> dict[str, object]:
    return {
        "event_time": at(t),
        "app": "sshd",
        "event_type": "ssh_login",
        "action": "login",
        "outcome": "failure",
        "src_ip": ip,
        "user": user,
    }


def _ok(t: float, ip: str = "198.51.100.7", user: str = "root") -> dict[str, object]:
    return {**_fail(t, ip, user), "outcome": "success"}


def _flow(t: float, src: str, dst: str, out: int, **extra: object) -> dict[str, object]:
    return {
        "event_time": at(t),
        "event_type": "conn",
        "src_ip": src,
        "dst_ip": dst,
        "bytes_out": out,
        "bytes_in": 0,
        **extra,
    }


class TestWindowBoundaries:
    def test_both_ends_of_the_sliding_window_count(self, store):
        """30 failures at 0..580 s and 600 s: the window ending at 600 s holds all 30."""
        rows = [_fail(20 * i) for i in range(29)] + [_fail(600)]
        write_rows(store, rows)
        (f,) = findings(store, "auth-brute-force-source", min_failures=30)
        assert f["count"] == 30
        assert findings(store, "auth-brute-force-source", min_failures=31) == []

    def test_just_past_the_window_drops_the_first(self, store):
        """The same failures with the last at 600.001 s: no window holds 30."""
        rows = [_fail(20 * i) for i in range(29)] + [_fail(600.001)]
        write_rows(store, rows)
        assert findings(store, "auth-brute-force-source", min_failures=30) == []
        (f,) = findings(store, "auth-brute-force-source", min_failures=29)
        assert f["count"] == 29

    def test_two_bursts_give_two_findings(self, store):
        """Bursts an hour apart are separate findings, each with its own evidence."""
        rows = [_fail(i) for i in range(5)] + [_fail(3600 + i) for i in range(7)]
        write_rows(store, rows)
        found = findings(store, "auth-brute-force-source", min_failures=5)
        assert sorted(f["count"] for f in found) == [5, 7]
        assert sorted(len(f["evidence"]) for f in found) == [5, 7]

    def test_large_outbound_is_strictly_above(self, store):
        """A window that sent exactly max_bytes is not a finding; one byte more is."""
        write_rows(
            store,
            [
                _flow(10, "10.0.0.9", "203.0.113.5", 1000),
                _flow(4000, "10.0.0.9", "203.0.113.5", 1001),
            ],
        )
        found = findings(store, "exfil-large-outbound", max_bytes=1000)
        assert [f["count"] for f in found] == [1001]


class TestSequences:
    def test_success_consumes_the_failures_before_it(self, store):
        """3 failures, success, 2 failures, success: only the first success counts at 3."""
        rows = [_fail(0), _fail(1), _fail(2), _ok(3), _fail(4), _fail(5), _ok(6)]
        write_rows(store, rows)
        (f,) = findings(store, "auth-success-after-failures", min_failures=3)
        assert f["count"] == 3
        assert len(f["evidence"]) == 4
        assert len(findings(store, "auth-success-after-failures", min_failures=2)) == 2

    def test_failures_older_than_the_window_do_not_count(self, store):
        """Failures two hours before the success are outside a one-hour window."""
        write_rows(store, [_fail(0), _fail(1), _fail(2), _ok(7200)])
        assert findings(store, "auth-success-after-failures", window_s=3600) == []

    def test_new_source_needs_prior_logins(self, store):
        """The first source is the baseline; a second is new once there were prior logins."""
        write_rows(
            store,
            [
                _ok(0, ip="10.0.0.1", user="ann"),
                _ok(60, ip="10.0.0.2", user="ann"),
                _ok(0, ip="10.0.0.3", user="bob"),
            ],
        )
        (f,) = findings(store, "auth-new-source-for-user", prefix_bits=32)
        assert f["entity"] == "ann"
        assert '"src_ip":"10.0.0.2"' in f["detail"]
        assert findings(store, "auth-new-source-for-user", prefix_bits=32, min_prior_logins=2) == []
        assert findings(store, "auth-new-source-for-user") == []  # same /16 network

    def test_archive_then_upload_by_same_entity(self, store):
        """tar c then a 5 MB transfer within the hour; another host's transfer does not pair."""
        write_rows(
            store,
            [
                {
                    "event_time": at(0),
                    "host": "h1",
                    "message": "tar czf /tmp/x.tgz /srv/data",
                    "action": "exec",
                },
                {
                    "event_time": at(60),
                    "host": "h1",
                    "bytes_out": 5_000_000,
                    "dst_ip": "203.0.113.9",
                },
                {
                    "event_time": at(60),
                    "host": "h2",
                    "bytes_out": 5_000_000,
                    "dst_ip": "203.0.113.9",
                },
            ],
        )
        (f,) = findings(store, "exfil-archive-then-transfer")
        assert f["entity"] == "h1"
        assert len(f["evidence"]) == 2


class TestLists:
    def test_allowlist_cidr_and_exact(self, store):
        """10.1.2.3 is inside 10.0.0.0/8, 203.0.113.7 is allowed exactly, 203.0.113.8 is not."""
        write_rows(
            store, [_flow(0, "10.0.0.5", d, 10) for d in ("10.1.2.3", "203.0.113.7", "203.0.113.8")]
        )
        found = findings(
            store, "exfil-destination-not-allowlisted", allowlist=["10.0.0.0/8", "203.0.113.7"]
        )
        assert [f["entity"] for f in found] == ["10.0.0.5 -> 203.0.113.8"]
        found = findings(store, "exfil-destination-not-allowlisted", allowlist=["203.0.113.0/29"])
        assert sorted(f["entity"] for f in found) == [
            "10.0.0.5 -> 10.1.2.3",
            "10.0.0.5 -> 203.0.113.8",
        ]

    def test_dns_label_lengths(self, store):
        """A 52-character label is flagged at 50; a 49-character one is not."""
        long_q = "a" * 52 + ".t.example.com"
        short_q = "b" * 49 + ".t.example.com"
        write_rows(
            store,
            [
                {"event_time": at(0), "event_type": "dns", "src_ip": "10.0.0.4", "object": long_q},
                {"event_time": at(1), "event_type": "dns", "src_ip": "10.0.0.4", "object": short_q},
            ],
        )
        (f,) = findings(store, "exfil-dns-tunnel-labels")
        assert f["entity"] == "10.0.0.4 -> example.com"
        assert f["count"] == 1
        assert (
            len(findings(store, "exfil-dns-tunnel-labels", min_label_length=49)[0]["evidence"]) == 2
        )


class TestHostsAndTime:
    def test_removable_mount_and_write(self, store):
        """A mount under /media and a write there are removable-media events."""
        write_rows(
            store,
            [
                {
                    "event_time": at(0),
                    "host": "ws1",
                    "action": "mount",
                    "object": "/media/usb0",
                    "message": "mounted /dev/sdb1 at /media/usb0",
                },
                {
                    "event_time": at(5),
                    "host": "ws1",
                    "action": "write",
                    "object": "/media/usb0/x.zip",
                },
                {"event_time": at(9), "host": "ws1", "action": "write", "object": "/home/a/x.zip"},
            ],
        )
        (f,) = findings(store, "exfil-removable-media")
        assert f["count"] == 2
        assert '"mount"' in f["detail"]
        assert '"write"' in f["detail"]

    def test_weekend_transfer(self, store):
        """Saturday noon is off hours only when weekends count."""
        write_rows(store, [_flow(5 * 86400 + 3 * 3600, "10.0.0.5", "203.0.113.1", 60_000_000)])
        assert len(findings(store, "exfil-off-hours")) == 1
        assert findings(store, "exfil-off-hours", weekends=False) == []

    def test_silent_source_gap_and_trailing_silence(self, store):
        """A 60 s cadence, a 2 h hole, then records: the hole; a window end 2 h later: the tail."""
        rows = [{"event_time": at(60 * i), "host": "m1"} for i in range(30)]
        rows += [{"event_time": at(60 * 29 + 7200 + 60 * i), "host": "m1"} for i in range(5)]
        write_batches(store, [rows_batch("meter.log", rows)])
        (f,) = findings(store, "anomaly-source-silent")
        assert f["entity"] == "meter.log@m1"
        assert f["count"] == 7200
        until = at(60 * 29 + 7200 + 240 + 7200)
        found = findings(store, "anomaly-source-silent", window=TimeWindow(at(0), until))
        assert sorted(x["count"] for x in found) == [7200, 7200]

    def test_g6_limit_for_one_user_and_type(self, store):
        """A limit for ann/sudo counts ann's sudo only; '*' counts every user separately."""
        rows = [{"event_time": at(i), "user": "ann", "action": "sudo"} for i in range(4)]
        rows += [{"event_time": at(i), "user": "bob", "action": "sudo"} for i in range(4)]
        rows += [{"event_time": at(i), "user": "ann", "action": "GET"} for i in range(4)]
        write_rows(store, rows)
        t = Thresholds(1, "", request_limits=(RequestLimit("ann", "sudo", 60, 3),))
        assert [f["entity"] for f in findings(store, "g6-request-rate", thresholds=t)] == [
            "ann / sudo"
        ]
        t = Thresholds(1, "", request_limits=(RequestLimit("*", "sudo", 60, 3),))
        assert sorted(by_entity(findings(store, "g6-request-rate", thresholds=t))) == [
            "ann / sudo",
            "bob / sudo",
        ]

    def test_new_event_type_after_learning(self, store):
        """A type first seen after the learning period is new even if frequent."""
        rows = [{"event_time": at(60 * i), "event_type": "tick"} for i in range(200)]
        rows += [{"event_time": at(90_000 + i), "event_type": "config_change"} for i in range(5)]
        write_rows(store, rows, source="app.log")
        (f,) = findings(store, "anomaly-rare-event-type", max_count=2, learning_s=86400)
        assert f["entity"] == "app.log:config_change"
        assert '"new":true' in f["detail"]
