"""Zeek parser: TSV header state, typed values, escapes, JSON lines, stream mapping."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ingest.parsers import as_lists, get_parser

HEADER = [
    b"#separator \\x09",
    b"#set_separator\t,",
    b"#empty_field\t(empty)",
    b"#unset_field\t-",
    b"#path\tconn",
    b"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\torig_bytes\tresp_bytes\tconn_state\ttunnel_parents",
    b"#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tcount\tcount\tstring\tset[string]",
]
ROW = (
    b"1588206741.530000\tCPKuRr3fL4F8tgqXQ1\t10.0.1.4\t60760\t192.168.0.4\t80\ttcp\thttp\t"
    b"2181167\t27238\tSF\t(empty)"
)


class TestTsv:
    def test_header_then_rows(self):
        """#fields/#types set the columns; conn maps orig_bytes to bytes_out."""
        d = as_lists(get_parser("zeek").parse([*HEADER, ROW]))
        assert d["event_type"] == ["zeek_header"] * 7 + ["conn"]
        assert d["parse_error"] == [None] * 8
        assert d["event_time"][-1] == datetime(2020, 4, 30, 0, 32, 21, 530000, tzinfo=UTC)
        assert (d["src_ip"][-1], d["src_port"][-1], d["dst_ip"][-1], d["dst_port"][-1]) == (
            "10.0.1.4",
            60760,
            "192.168.0.4",
            80,
        )
        assert (d["bytes_out"][-1], d["bytes_in"][-1]) == (2181167, 27238)
        assert (d["action"][-1], d["object"][-1], d["outcome"][-1], d["event_id"][-1]) == (
            "tcp",
            "http",
            "success",
            "CPKuRr3fL4F8tgqXQ1",
        )
        assert json.loads(str(d["attrs"][-1])) == {"conn_state": "SF", "tunnel_parents": []}

    def test_state_carries_across_batches(self):
        """A parser instance remembers the header from an earlier batch of the same file."""
        parser = get_parser("zeek")
        parser.parse(HEADER)
        d = as_lists(parser.parse([ROW]))
        assert d["bytes_out"] == [2181167]

    def test_row_before_header(self):
        """A data row before any #fields header gets parse_error saying to feed from the start."""
        d = as_lists(get_parser("zeek").parse([ROW]))
        assert "before any #fields header" in str(d["parse_error"][0])
        assert d["message"] == [ROW.decode()]

    def test_unset_escape_and_wrong_width(self):
        """'-' is null, \\x escapes decode, a row of the wrong width is a parse error."""
        row = b"1.5\tC1\t10.0.0.1\t1\t10.0.0.2\t2\tudp\t-\t-\t-\tS0\ta\\x09b,c"
        d = as_lists(get_parser("zeek").parse([*HEADER, row, b"1.5\tC1"]))
        assert (d["object"][-2], d["bytes_out"][-2], d["outcome"][-2]) == (None, None, "failure")
        assert json.loads(str(d["attrs"][-2]))["tunnel_parents"] == ["a\tb", "c"]
        assert "2 columns" in str(d["parse_error"][-1])


class TestJson:
    def test_dotted_and_dns(self):
        """Zeek JSON with dotted names; a dns record maps query and rcode."""
        line = json.dumps(
            {"_path": "dns", "ts": "2020-04-30T00:00:00Z", "uid": "C2", "id.orig_h": "10.0.0.1",
             "id.orig_p": 5353, "id.resp_h": "10.0.0.53", "id.resp_p": 53, "query": "a.example",
             "qtype_name": "TXT", "rcode_name": "NXDOMAIN"}
        ).encode()  # fmt: skip
        d = as_lists(get_parser("zeek").parse([line]))
        assert (d["event_type"], d["object"], d["action"], d["outcome"]) == (
            ["dns"],
            ["a.example"],
            ["TXT"],
            ["failure"],
        )

    def test_broken_json(self):
        """Broken JSON in a Zeek file is kept with parse_error."""
        d = as_lists(get_parser("zeek").parse([b'{"uid": ']))
        assert str(d["parse_error"][0]).startswith("not a Zeek record")
