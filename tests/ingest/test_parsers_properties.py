"""Properties every parser keeps on any input: no exception, one row per line, valid columns."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.parsers import PARSERS, ParserOptions, as_lists, get_parser
from logchain.schema import DERIVED_COLUMNS, OUTCOMES
from logchain.segment import RecordBatch, build_table

#: Lines as the tailer gives them: any bytes but a newline, often near a real format.
SEEDS = [
    b"Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for root from 1.2.3.4 port 5 ssh2",
    b"Dec 10 06:55:46 LabSZ sshd[24200]: message repeated 2 times: [ Failed password for",
    b'<13>1 2026-03-02T10:00:00Z h app 1 - [a b="c"] msg',
    b"type=USER_CMD msg=audit(1.2:3): msg='cmd=6162 res=failed'",
    b'{"@timestamp": 1, "user": {"name": "x"}, "source": {"ip": "1.2.3.4"}}',
    b'{"eventSource": "s3.amazonaws.com", "eventName": "GetObject"}',
    b'1.2.3.4 - - [11/Jul/2018:08:41:28 +0300] "GET / HTTP/1.1" 200 1\r',
    b"[Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] x",
    b"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p",
    b"1.5\tC1\t10.0.0.1\t1\t10.0.0.2\t2",
    b"081109 203615 148 INFO dfs.DataNode: blk_1",
    b"- 1117838570 2005.06.03 R 2005-06-03-15.42.50.675872 R RAS KERNEL FATAL x",
]
line = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(SEEDS),
    st.tuples(st.sampled_from(SEEDS), st.binary(max_size=20), st.integers(0, 90)).map(
        lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :]
    ),
).map(lambda b: b.replace(b"\n", b" "))


@pytest.mark.parametrize("name", sorted(PARSERS))
@given(lines=st.lists(line, max_size=12))
def test_any_bytes_give_one_valid_row_per_line(name, lines):
    """Any lines: no exception, every column as long as the batch, and Arrow accepts the values."""
    arrays = get_parser(name, ParserOptions(year=2026)).parse(lines)
    derived = as_lists(arrays)
    assert {len(values) for values in derived.values()} <= {len(lines)}
    for i, raw in enumerate(lines):
        fields = [derived[c][i] for c in DERIVED_COLUMNS if c in derived]
        assert derived["parse_error"][i] is not None or any(v is not None for v in fields)
        if "outcome" in derived:
            assert derived["outcome"][i] in (*OUTCOMES, None)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            assert derived["parse_error"][i] is not None
    n = len(lines)
    batch = RecordBatch(["s"] * n, [1] * n, list(range(n)), lines, [0] * n, arrays)
    table = build_table(batch, first_index=0, ingest_time_ns=0)
    assert table.num_rows == n
