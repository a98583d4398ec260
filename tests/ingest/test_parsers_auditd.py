"""auditd parser: nested msg, hex-encoded values, serial linking, outcomes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ingest.parsers import as_lists, get_parser
from ingest.parsers.auditd import decode_value, sockaddr


def parse(*lines: bytes) -> dict[str, list[object]]:
    return as_lists(get_parser("auditd").parse(list(lines)))


class TestAuditd:
    def test_user_cmd_hex_command_is_decoded(self):
        """USER_CMD's hex cmd= becomes the object text; cwd stays readable in attrs."""
        d = parse(
            b"type=USER_CMD msg=audit(1642999086.239:2230): pid=27966 uid=1002 auid=4294967295 "
            b'ses=4294967295 msg=\'cwd="/var/www/up" cmd=636174202F6574632F736861646F77 '
            b"terminal=pts/1 res=success'"
        )
        assert d["object"] == ["cat /etc/shadow"]
        assert d["event_type"] == ["USER_CMD"]
        assert d["event_id"] == ["2230"]
        assert d["event_time"] == [datetime(2022, 1, 24, 4, 38, 6, 239000, tzinfo=UTC)]
        assert d["event_time_raw"] == ["1642999086.239"]
        assert d["user"] == ["1002"]
        assert d["outcome"] == ["success"]
        assert json.loads(str(d["attrs"][0]))["cwd"] == "/var/www/up"

    def test_user_auth_su_names_account_and_actor(self):
        """USER_AUTH by uid 33 with acct jhall: user=jhall, app=su, uid kept in attrs."""
        d = parse(
            b"type=USER_AUTH msg=audit(1642999060.603:2226): pid=27950 uid=33 auid=4294967295 "
            b'ses=4294967295 msg=\'op=PAM:authentication acct="jhall" exe="/bin/su" hostname=? '
            b"addr=? terminal=/dev/pts/1 res=success'"
        )
        assert (d["user"], d["app"], d["action"], d["object"]) == (
            ["jhall"],
            ["su"],
            ["PAM:authentication"],
            ["/bin/su"],
        )
        attrs = json.loads(str(d["attrs"][0]))
        assert attrs["uid"] == "33"
        assert "hostname" not in attrs  # '?' means unknown: left out

    def test_failed_login_with_address(self):
        """res=failed is a failure; addr becomes src_ip."""
        d = parse(
            b"type=USER_LOGIN msg=audit(1700000000.000:7): pid=1 uid=0 auid=4294967295 ses=1 "
            b'msg=\'op=login acct="root" exe="/usr/sbin/sshd" hostname=203.0.113.5 '
            b"addr=203.0.113.5 terminal=ssh res=failed'"
        )
        assert (d["outcome"], d["src_ip"], d["user"]) == (["failure"], ["203.0.113.5"], ["root"])

    def test_records_of_one_event_share_event_id(self):
        """SYSCALL, EXECVE, PROCTITLE and SOCKADDR of one serial link by event_id."""
        d = parse(
            b"type=SYSCALL msg=audit(1700000000.100:42): arch=c000003e syscall=59 success=yes "
            b'exit=0 a0=10 ppid=1 pid=99 auid=1000 uid=1000 comm="curl" exe="/usr/bin/curl" '
            b"key=(null)",
            b'type=EXECVE msg=audit(1700000000.100:42): argc=3 a0="curl" a1="-T" '
            b"a2=2F746D702F782E746172",
            b"type=PROCTITLE msg=audit(1700000000.100:42): "
            b"proctitle=6375726C002D54002F746D702F782E746172",
            b"type=SOCKADDR msg=audit(1700000000.100:42): saddr=020001BBC0000205000000000000000000",
        )
        assert d["event_id"] == ["42"] * 4
        assert d["outcome"][0] == "success"
        assert (d["app"][0], d["user"][0]) == ("curl", "1000")
        assert d["object"][1] == "curl -T /tmp/x.tar"
        assert d["object"][2] == "curl -T /tmp/x.tar"
        assert (d["dst_ip"][3], d["dst_port"][3]) == ("192.0.2.5", 443)
        # syscall arguments are numbers, never decoded as text
        assert json.loads(str(d["attrs"][0]))["a0"] == "10"

    def test_node_prefix_and_enriched_names(self):
        """node= gives host; enriched AUID names replace numeric ids."""
        d = parse(
            b"node=web01 type=SYSCALL msg=audit(1700000000.100:43): syscall=2 success=no "
            b'auid=1000 uid=1000 comm="cat" exe="/usr/bin/cat"'
            b'\x1dSYSCALL=open AUID="alice" UID="alice"'
        )
        assert (d["host"], d["user"], d["action"], d["outcome"]) == (
            ["web01"],
            ["alice"],
            ["open"],
            ["failure"],
        )

    def test_not_audit_is_kept_with_error(self):
        """A line that is not an audit record keeps its text and gets parse_error."""
        d = parse(b"hello world")
        assert d["message"] == ["hello world"]
        assert str(d["parse_error"][0]).startswith("not an audit record")


class TestValues:
    def test_decode_value(self):
        """Quoted values lose quotes; encodable hex fields decode, NUL separators become spaces."""
        assert decode_value("exe", '"/bin/su"') == "/bin/su"
        assert decode_value("proctitle", "6C73002D6C") == "ls -l"
        assert decode_value("pid", "1234") == "1234"
        assert decode_value("cmd", "notHEX") == "notHEX"

    def test_sockaddr(self):
        """AF_INET and AF_INET6 socket addresses decode to (ip, port); others to None."""
        assert sockaddr("02000050C0A80004" + "00" * 8) == ("192.168.0.4", 80)
        v6 = "0A000035" + "00000000" + "20010DB8000000000000000000000001" + "00000000"
        assert sockaddr(v6) == ("2001:db8::1", 53)
        assert sockaddr("01002F746D70") is None
        assert sockaddr("zz") is None
