"""BSD syslog (RFC 3164) and RFC 5424 parsers: golden fields for tricky lines."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.parsers import ParserOptions, as_lists, get_parser
from ingest.parsers.times import BsdClock, load_zone
from logchain.errors import UsageError

NOV_2026 = int(datetime(2026, 11, 25, 12, tzinfo=UTC).timestamp() * 1e9)


def parse_one(line: bytes, name: str = "rfc3164", **options: object) -> dict[str, object]:
    derived = as_lists(get_parser(name, ParserOptions(**options)).parse([line]))  # type: ignore[arg-type]
    return {k: v[0] for k, v in derived.items()}


class TestSshd:
    def test_failed_password_for_invalid_user(self):
        """A failed password for an invalid user names user, source address, port and method."""
        d = parse_one(
            b"Dec 10 11:04:45 LabSZ sshd[25539]: Failed password for invalid user user "
            b"from 103.99.0.122 port 52683 ssh2",
            year=2017,
        )
        assert d["event_time"] == datetime(2017, 12, 10, 11, 4, 45, tzinfo=UTC)
        assert d["event_time_raw"] == "Dec 10 11:04:45"
        assert (d["host"], d["app"], d["pid"]) == ("LabSZ", "sshd", 25539)
        assert (d["event_type"], d["action"], d["outcome"]) == ("ssh_login", "login", "failure")
        assert (d["user"], d["src_ip"], d["src_port"]) == ("user", "103.99.0.122", 52683)
        assert json.loads(str(d["attrs"])) == {"auth_method": "password", "invalid_user": True}
        assert d["parse_error"] is None
        assert (d["parser"], d["parser_version"]) == ("rfc3164", "1")

    def test_accepted_publickey_keeps_the_key(self):
        """An accepted public key login is a success and keeps the key fingerprint in attrs."""
        d = parse_one(
            b"Mar  2 09:00:01 web01 sshd[811]: Accepted publickey for alice from 10.20.8.11 "
            b"port 50000 ssh2: ED25519 SHA256:abc",
            year=2026,
        )
        assert (d["outcome"], d["user"], d["src_ip"]) == ("success", "alice", "10.20.8.11")
        assert json.loads(str(d["attrs"])) == {
            "auth_method": "publickey",
            "key": "ED25519 SHA256:abc",
        }

    def test_message_repeated_counts_the_repeats(self):
        """'message repeated N times' is parsed as the inner message with repeated=N in attrs."""
        d = parse_one(
            b"Dec 10 10:55:58 LabSZ sshd[24757]: message repeated 5 times: [ Failed password "
            b"for root from 5.36.59.76 port 42393 ssh2]",
            year=2017,
        )
        assert (d["event_type"], d["outcome"], d["user"]) == ("ssh_login", "failure", "root")
        assert (d["src_ip"], d["src_port"]) == ("5.36.59.76", 42393)
        assert json.loads(str(d["attrs"]))["repeated"] == 5
        assert str(d["message"]).startswith("message repeated 5 times")

    @pytest.mark.parametrize(
        ("message", "event_type", "src_ip", "user"),
        [
            (
                "reverse mapping checking getaddrinfo for ns.example.com [173.234.31.186] failed"
                " - POSSIBLE BREAK-IN ATTEMPT!",
                "ssh_break_in_attempt",
                "173.234.31.186",
                None,
            ),
            (
                "Invalid user webmaster from 173.234.31.186",
                "ssh_invalid_user",
                "173.234.31.186",
                "webmaster",
            ),
            (
                "Received disconnect from 1.2.3.4: 11: Bye Bye [preauth]",
                "ssh_disconnect",
                "1.2.3.4",
                None,
            ),
            ("Connection closed by 1.2.3.4 [preauth]", "ssh_disconnect", "1.2.3.4", None),
            (
                "Disconnecting: Too many authentication failures for admin [preauth]",
                "ssh_disconnect",
                None,
                "admin",
            ),
            (
                "Did not receive identification string from 1.2.3.4",
                "ssh_no_identification",
                "1.2.3.4",
                None,
            ),
            (
                "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
                "ruser= rhost=112.95.230.3  user=root",
                "pam_auth_failure",
                "112.95.230.3",
                "root",
            ),
        ],
    )
    def test_other_sshd_messages(self, message, event_type, src_ip, user):
        """Break-in warnings, invalid users, disconnects and PAM failures get their own types."""
        d = parse_one(f"Dec 10 06:55:46 LabSZ sshd[24200]: {message}".encode(), year=2017)
        assert (d["event_type"], d["src_ip"], d["user"]) == (event_type, src_ip, user)

    def test_unknown_sshd_message_keeps_header_only(self):
        """A message no handler knows still gets host, app, pid and message, and no error."""
        d = parse_one(
            b"Dec 10 06:55:46 LabSZ sshd[1]: Server listening on 0.0.0.0 port 22.", year=2017
        )
        assert (d["host"], d["app"], d["pid"], d["event_type"]) == ("LabSZ", "sshd", 1, None)
        assert d["message"] == "Server listening on 0.0.0.0 port 22."
        assert d["parse_error"] is None


class TestSudoSu:
    def test_sudo_command(self):
        """A sudo command names the user, the command as object and TTY/PWD/run-as in attrs."""
        d = parse_one(
            b"Mar  2 10:00:00 app01 sudo[1]:    alice : TTY=pts/0 ; PWD=/home/alice ; "
            b"USER=root ; COMMAND=/usr/bin/systemctl restart nginx",
            year=2026,
        )
        assert (d["event_type"], d["action"], d["outcome"]) == ("sudo_command", "sudo", "success")
        assert (d["user"], d["object"]) == ("alice", "/usr/bin/systemctl restart nginx")
        assert json.loads(str(d["attrs"])) == {
            "tty": "pts/0",
            "pwd": "/home/alice",
            "run_as": "root",
        }

    def test_sudo_incorrect_password_attempts(self):
        """'3 incorrect password attempts' is a failure with attempts=3."""
        d = parse_one(
            b"Mar  2 10:05:09 app01 sudo[2]: frank : 3 incorrect password attempts ; TTY=pts/1 ;"
            b" PWD=/home/frank ; USER=root ; COMMAND=/bin/bash",
            year=2026,
        )
        assert (d["event_type"], d["outcome"], d["user"]) == (
            "sudo_auth_failure",
            "failure",
            "frank",
        )
        assert json.loads(str(d["attrs"]))["attempts"] == 3

    def test_sudo_not_in_sudoers(self):
        """'user NOT in sudoers' is a refusal with the reason in attrs."""
        d = parse_one(
            b"Mar  2 10:05:40 app01 sudo[3]: frank : user NOT in sudoers ; TTY=pts/1 ; "
            b"PWD=/home/frank ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow",
            year=2026,
        )
        assert (d["event_type"], d["outcome"], d["object"]) == (
            "sudo_denied",
            "failure",
            "/usr/bin/cat /etc/shadow",
        )
        assert json.loads(str(d["attrs"]))["reason"] == "user NOT in sudoers"

    def test_sudo_pam_failure(self):
        """A PAM authentication failure under sudo names the user trying."""
        d = parse_one(
            b"Mar  2 10:05:00 app01 sudo[4]: pam_unix(sudo:auth): authentication failure; "
            b"logname=frank uid=1006 euid=0 tty=/dev/pts/1 ruser=frank rhost=  user=frank",
            year=2026,
        )
        assert (d["event_type"], d["user"], d["src_ip"]) == ("pam_auth_failure", "frank", None)
        assert json.loads(str(d["attrs"]))["service"] == "sudo"

    @pytest.mark.parametrize(
        ("message", "outcome", "user", "target"),
        [
            ("Successful su for root by alice", "success", "alice", "root"),
            ("FAILED su for root by mallory", "failure", "mallory", "root"),
            ("(to root) alice on pts/0", "success", "alice", "root"),
            ("FAILED SU (to root) frank on pts/1", "failure", "frank", "root"),
        ],
    )
    def test_su(self, message, outcome, user, target):
        """su names who switched (user) and to whom (object), in old and new formats."""
        d = parse_one(f"Mar  2 10:09:00 app01 su[5]: {message}".encode(), year=2026)
        assert (d["event_type"], d["outcome"], d["user"], d["object"]) == (
            "su",
            outcome,
            user,
            target,
        )

    def test_session_opened(self):
        """A PAM session opened for a user by another is a session_open with 'by' in attrs."""
        d = parse_one(
            b"Mar  2 10:00:00 app01 sudo[6]: pam_unix(sudo:session): session opened for user "
            b"root(uid=0) by alice(uid=1000)",
            year=2026,
        )
        assert (d["event_type"], d["user"]) == ("session_open", "root")
        assert json.loads(str(d["attrs"])) == {"service": "sudo", "by": "alice", "by_uid": 1000}


class TestRemovableMedia:
    def test_usb_mass_storage_and_mount(self):
        """Kernel USB lines and a udisks mount map to attach and mount events."""
        lines = [
            b"Mar  2 13:05:00 ws kernel: [ 812.1] usb 1-2: New USB device found, idVendor=0781,"
            b" idProduct=5581, bcdDevice= 1.00",
            b"Mar  2 13:05:01 ws kernel: usb-storage 1-2:1.0: USB Mass Storage device detected",
            b"Mar  2 13:05:03 ws udisksd[1432]: Mounted /dev/sdb1 at /media/carol/ULTRA on behalf"
            b" of uid 1003",
            b"Jul  1 11:49:29 mac kernel[0]: USBMSC Identifier (non-unique): 000000000820 0x5ac "
            b"0x8406 0x820, 3",
        ]
        d = as_lists(get_parser("rfc3164", ParserOptions(year=2026)).parse(lines))
        assert d["event_type"] == [
            "usb_device_info",
            "usb_mass_storage",
            "removable_media_mount",
            "usb_mass_storage",
        ]
        assert json.loads(str(d["attrs"][0])) == {"vendor_id": "0781", "product_id": "5581"}
        assert d["object"][2] == "/media/carol/ULTRA"
        assert json.loads(str(d["attrs"][2])) == {"device": "/dev/sdb1", "uid": 1003}
        assert json.loads(str(d["attrs"][3]))["vendor_id"] == "0x5ac"

    def test_cron_command(self):
        """A cron job names the user and the command."""
        d = parse_one(
            b"Mar  2 10:17:01 web01 CRON[99]: (root) CMD (   cd / && run-parts x)", year=2026
        )
        assert (d["event_type"], d["user"], d["object"]) == (
            "cron_command",
            "root",
            "cd / && run-parts x",
        )


class TestHeaderVariants:
    def test_priority_gives_severity_and_facility(self):
        """A leading <PRI> sets severity by name and the facility in attrs."""
        d = parse_one(b"<38>Mar  2 10:17:01 web01 sshd[9]: Server listening", year=2026)
        assert d["severity"] == "info"
        assert json.loads(str(d["attrs"])) == {"facility": 4}

    def test_rfc3339_timestamp(self):
        """rsyslog's high-precision timestamps are read with their offset."""
        d = parse_one(b"2026-03-02T10:17:01.123456+01:00 web01 sudo[9]: hello")
        assert d["event_time"] == datetime(2026, 3, 2, 9, 17, 1, 123456, tzinfo=UTC)

    def test_program_with_space_and_context(self):
        """macOS tags with spaces or a '(context)' after the pid still split."""
        lines = [
            b"Jul  4 23:22:09 mac Microsoft Word[14463]: Cocoa scripting error",
            b"Jul  1 09:29:02 mac sandboxd[129] ([31211]): deny network-outbound",
        ]
        d = as_lists(get_parser("rfc3164", ParserOptions(year=2017)).parse(lines))
        assert d["app"] == ["Microsoft Word", "sandboxd"]
        assert d["pid"] == [14463, 129]
        assert d["parse_error"] == [None, None]

    def test_crlf_is_removed_from_derived_text_only(self):
        """A trailing CR is not part of the message."""
        d = as_lists(
            get_parser("rfc3164", ParserOptions(year=2017)).parse(
                [b"Dec 10 06:55:46 h a[1]: x\r"] * 2
            )
        )
        assert d["message"] == ["x", "x"]

    def test_not_syslog_keeps_text_with_error(self):
        """A line without a syslog header keeps its text as message and gets parse_error."""
        d = as_lists(
            get_parser("rfc3164").parse([b"garbage line", b"", b"Dec 10 06:55:46 h a[1]: ok"])
        )
        assert d["message"][:2] == ["garbage line", ""]
        assert d["parse_error"][0] is not None
        assert d["parse_error"][1] is not None
        assert d["parse_error"][2] is None

    def test_mixed_batch_only_odd_lines_fall_back(self):
        """In one batch, good lines keep the fast split; odd and invalid lines are handled alone."""
        lines = [
            b"Dec 10 06:55:46 h sshd[1]: Invalid user a from 1.2.3.4",
            b"Dec 10 06:55:47 h Microsoft Word[2]: x\r",
            b"Dec 10 06:55:48 h sshd[3]: bad \xff",
            b"",
            b"Dec 10 06:55:49 h sshd[4]: Invalid user b from 1.2.3.5\r",
        ]
        d = as_lists(get_parser("rfc3164", ParserOptions(year=2017)).parse(lines))
        assert d["app"] == ["sshd", "Microsoft Word", "sshd", None, "sshd"]
        assert d["pid"] == [1, 2, 3, None, 4]
        assert d["user"] == ["a", None, None, None, "b"]
        assert d["message"][1:4] == ["x", "bad \ufffd", ""]
        assert [e is not None for e in d["parse_error"]] == [False, False, True, True, False]

    def test_invalid_utf8_is_flagged_and_still_parsed(self):
        """Invalid UTF-8 sets parse_error, the header is still split."""
        d = parse_one(b"Dec 10 06:55:46 h sshd[1]: bad \xff byte", year=2017)
        assert d["parse_error"] == "invalid UTF-8 at byte 31"
        assert (d["host"], d["message"]) == ("h", "bad \ufffd byte")


class TestYearAndZone:
    def test_december_line_read_in_january_is_last_year(self):
        """With no year configured, a Dec 31 line read on Jan 2 goes to the previous year."""
        jan2 = int(datetime(2027, 1, 2, 8, tzinfo=UTC).timestamp() * 1e9)
        d = parse_one(b"Dec 31 23:59:59 h a: x", reference_time_ns=jan2)
        assert d["event_time"] == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)

    def test_line_of_today_stays_this_year(self):
        """A line from the reference day, or one day ahead (zone skew), keeps the reference year."""
        d = as_lists(
            get_parser("rfc3164", ParserOptions(reference_time_ns=NOV_2026)).parse(
                [b"Nov 25 11:00:00 h a: x", b"Nov 26 23:00:00 h a: x", b"Nov 28 00:00:00 h a: x"]
            )
        )
        assert [t.year for t in d["event_time"]] == [2026, 2026, 2025]  # type: ignore[union-attr]

    def test_configured_year_wins(self):
        """ParserOptions.year is used as it is."""
        d = parse_one(b"Dec 31 23:59:59 h a: x", year=2001, reference_time_ns=NOV_2026)
        assert d["event_time"] == datetime(2001, 12, 31, 23, 59, 59, tzinfo=UTC)

    def test_timezone_converts_to_utc(self):
        """Local times are read in the configured IANA zone, daylight saving included."""
        d = as_lists(
            get_parser("rfc3164", ParserOptions(year=2026, timezone="Europe/London")).parse(
                [b"Jan 10 12:00:00 h a: x", b"Jul 10 12:00:00 h a: x"]
            )
        )
        assert d["event_time"] == [
            datetime(2026, 1, 10, 12, tzinfo=UTC),
            datetime(2026, 7, 10, 11, tzinfo=UTC),
        ]

    def test_feb_29_goes_to_a_leap_year(self):
        """Feb 29 in a non-leap inferred year falls back to the latest leap year."""
        d = parse_one(b"Feb 29 10:00:00 h a: x", year=2027)
        assert d["event_time"] == datetime(2024, 2, 29, 10, tzinfo=UTC)

    @given(
        day=st.dates(date(2024, 1, 1), date(2024, 12, 31)),
        clock_time=st.times().map(lambda t: t.replace(microsecond=0)),
        zone=st.sampled_from(
            ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
        ),
    )
    def test_hour_memo_matches_zoneinfo(self, day, clock_time, zone):
        """Any local time converts exactly as zoneinfo does (fold=0), DST changes included."""
        clock = BsdClock(load_zone(zone), 2024, None)
        clock.start_batch()
        text = f"{day:%b} {day.day:2d} {clock_time:%H:%M:%S}"
        expected = datetime.combine(day, clock_time, tzinfo=ZoneInfo(zone)).astimezone(UTC)
        assert clock.convert(text) == expected

    def test_unknown_timezone_is_a_usage_error(self):
        """An unknown zone name is refused with the name in the message."""
        with pytest.raises(UsageError, match="unknown timezone 'Mars/Base'"):
            get_parser("rfc3164", ParserOptions(timezone="Mars/Base"))


class TestRfc5424:
    def test_structured_data_and_routing(self):
        """SD params go to attrs by id.name; an sshd message is routed to the sshd handler."""
        d = parse_one(
            b'<38>1 2026-03-02T10:00:00.5Z web01 sshd 811 - [origin ip="10.0.0.1" x="a\\"b"]'
            b" Failed password for root from 203.0.113.9 port 4444 ssh2",
            name="rfc5424",
        )
        assert d["event_time"] == datetime(2026, 3, 2, 10, 0, 0, 500000, tzinfo=UTC)
        assert (d["host"], d["app"], d["pid"], d["severity"]) == ("web01", "sshd", 811, "info")
        assert (d["event_type"], d["outcome"], d["src_ip"]) == (
            "ssh_login",
            "failure",
            "203.0.113.9",
        )
        attrs = json.loads(str(d["attrs"]))
        assert attrs["origin.ip"] == "10.0.0.1"
        assert attrs["origin.x"] == 'a"b'
        assert attrs["facility"] == 4

    def test_nil_values_and_msgid(self):
        """'-' fields are null; MSGID becomes event_type when no handler applies."""
        d = parse_one(b"<165>1 - - myapp - ID47 - \xef\xbb\xbfhello", name="rfc5424")
        assert (d["event_time"], d["host"], d["app"], d["event_type"]) == (
            None,
            None,
            "myapp",
            "ID47",
        )
        assert d["message"] == "hello"
        assert d["severity"] == "notice"

    def test_malformed_structured_data(self):
        """Broken structured data is a parse error; the text is kept."""
        d = parse_one(b"<165>1 - - myapp - ID47 [broken hello", name="rfc5424")
        assert d["parse_error"] is not None
        assert d["message"] == "<165>1 - - myapp - ID47 [broken hello"
