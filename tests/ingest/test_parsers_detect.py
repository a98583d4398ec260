"""Format detection, the loghub BGL/HDFS parsers and the registry."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ingest.parsers import PARSERS, ParserOptions, as_lists, detect_format, get_parser
from logchain.errors import UsageError

SAMPLES = {
    "rfc3164": b"Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
    "rfc5424": b"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed",
    "auditd": b"type=LOGIN msg=audit(1642723741.076:377): pid=10125 uid=0 auid=0 res=1",
    "json": b'{"@timestamp": "2020-01-01T00:00:00Z", "message": "hi"}',
    "zeek": b'{"ts": 1.0, "uid": "C1", "id_orig_h": "10.0.0.1", "id_resp_h": "10.0.0.2"}',
    "access": b'1.2.3.4 - - [11/Jul/2018:08:41:28 +0300] "GET / HTTP/1.1" 200 11444\r',
    "apache_error": b"[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/w.conf",
    "bgl": b"- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 "
    b"R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected",
    "hdfs": b"081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block "
    b"blk_38865049064139660 terminating",
}


class TestDetect:
    @pytest.mark.parametrize("name", sorted(SAMPLES))
    def test_each_format_is_detected(self, name):
        """Twenty lines of one format are detected as that format."""
        assert detect_format([SAMPLES[name]] * 20) == name

    def test_zeek_tsv_header_alone(self):
        """A Zeek TSV file is known by its first header line."""
        assert detect_format([b"#separator \\x09", b"#set_separator\t,"]) == "zeek"

    def test_unsure_is_generic(self):
        """No majority, free text or no lines at all give 'generic'."""
        assert detect_format([]) == "generic"
        assert detect_format([b"hello", b"world", b""]) == "generic"
        mixed = [SAMPLES["json"], b"a", b"b", b"c"]
        assert detect_format(mixed) == "generic"

    def test_majority_wins_over_noise(self):
        """A few odd lines do not change a clear majority."""
        assert detect_format([SAMPLES["auditd"]] * 8 + [b"noise"] * 2) == "auditd"


class TestRegistry:
    def test_every_parser_is_named_and_versioned(self):
        """Every registered parser reports its registry name and a version on every row."""
        for name in PARSERS:
            parser = get_parser(name)
            d = as_lists(parser.parse([b"x"]))
            assert parser.name == name
            assert d["parser"] == [name]
            assert d["parser_version"] == [parser.version]

    def test_unknown_name(self):
        """An unknown format name is a usage error listing the known ones."""
        with pytest.raises(UsageError, match="unknown log format 'nope'") as info:
            get_parser("nope")
        assert "rfc3164" in info.value.hint


class TestLoghub:
    def test_bgl(self):
        """BGL: epoch + micros time, node as host, component, severity and the label in attrs."""
        line = (
            SAMPLES["bgl"]
            .replace(b"- 1117838570", b"KERNDTLB 1117838570")
            .replace(b"INFO", b"FATAL")
        )
        d = {k: v[0] for k, v in as_lists(get_parser("bgl").parse([line])).items()}
        assert d["event_time"] == datetime(2005, 6, 3, 22, 42, 50, 675872, tzinfo=UTC)
        assert (d["host"], d["event_type"], d["app"], d["severity"]) == (
            "R02-M1-N0-C:J12-U11",
            "RAS",
            "KERNEL",
            "FATAL",
        )
        assert json.loads(str(d["attrs"])) == {"label": "KERNDTLB"}

    def test_hdfs(self):
        """HDFS: local time in the configured zone, component, block id and peers."""
        line = (
            b"081109 204005 35 INFO dfs.DataNode$DataXceiver: Receiving block blk_-16 "
            b"src: /10.250.19.102:54106 dest: /10.250.19.102:50010"
        )
        d = {
            k: v[0]
            for k, v in as_lists(
                get_parser("hdfs", ParserOptions(timezone="UTC")).parse([line])
            ).items()
        }
        assert d["event_time"] == datetime(2008, 11, 9, 20, 40, 5, tzinfo=UTC)
        assert (d["pid"], d["severity"], d["app"], d["object"]) == (
            35,
            "INFO",
            "dfs.DataNode$DataXceiver",
            "blk_-16",
        )
        assert (d["src_ip"], d["src_port"], d["dst_port"]) == ("10.250.19.102", 54106, 50010)
