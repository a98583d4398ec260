"""`logchain sql` end to end: views, bound parameters, formats, pruning, integrity, self-audit."""

from __future__ import annotations

import hashlib
import json
import shutil

import pyarrow.parquet as pq

from logchain.cli.query_session import open_session
from queries.window import TimeWindow
from tests.queries.cli_helpers import json_lines, run, system_events
from tests.queries.helpers import at, rows_batch, write_batches, write_rows


def _logins(n: int, t0: float = 0) -> list[dict[str, object]]:
    return [
        {
            "event_time": at(t0 + i),
            "app": "sshd",
            "action": "login",
            "outcome": "failure",
            "src_ip": f"192.0.2.{i % 3}",
            "user": "root",
        }
        for i in range(n)
    ]


class TestSql:
    def test_views_params_and_json(self, store, capsys):
        """auth holds the logins; $ip binds a value; JSON lines come out."""
        write_rows(store, _logins(9))
        code, out, err = run(
            capsys,
            "sql",
            "--store",
            store.root,
            "--format",
            "json",
            "SELECT src_ip, count(*) AS n FROM auth WHERE src_ip = $ip GROUP BY src_ip",
            "-p",
            "ip=192.0.2.1",
        )
        assert code == 0
        assert json_lines(out) == [{"src_ip": "192.0.2.1", "n": 3}]
        assert "read 2 of 2 sealed segments" in err  # the data and the writer's closing record

    def test_a_parameter_is_a_value_not_sql(self, store, capsys):
        """An injection attempt in -p is compared as text and matches nothing."""
        write_rows(store, _logins(3))
        code, out, _ = run(
            capsys,
            "sql",
            "--store",
            store.root,
            "--format",
            "json",
            "SELECT count(*) AS n FROM events WHERE src_ip = $ip",
            "-p",
            "ip=x' OR 1=1 --",
        )
        assert code == 0
        assert json_lines(out) == [{"n": 0}]

    def test_csv_and_parquet_files(self, store, capsys, tmp_path):
        """--format csv prints CSV; --format parquet writes the file given with -o."""
        write_rows(store, _logins(4))
        code, out, _ = run(
            capsys,
            "sql",
            "--store",
            store.root,
            "--format",
            "csv",
            "SELECT user, count(*) AS n FROM auth GROUP BY user",
        )
        assert code == 0
        assert out.splitlines() == ["user,n", "root,4"]
        dest = tmp_path / "out.parquet"
        code, _, _ = run(
            capsys,
            "sql",
            "--store",
            store.root,
            "--format",
            "parquet",
            "-o",
            dest,
            "SELECT * FROM auth",
        )
        assert code == 0
        assert pq.read_table(dest).num_rows == 4
        code, _, err = run(capsys, "sql", "--store", store.root, "--format", "parquet", "SELECT 1")
        assert code == 2
        assert "--output" in err

    def test_other_files_cannot_be_read(self, store, capsys, tmp_path):
        """The connection reads only the verified segments: other paths are refused."""
        secret = tmp_path / "secret.csv"
        secret.write_text("a\n1\n")
        code, _, err = run(
            capsys,
            "sql",
            "--store",
            store.root,
            "SELECT * FROM read_csv($path)",
            "-p",
            f"path={secret}",
        )
        assert code == 2
        assert "QueryInvalid" in err

    def test_altered_segment_is_never_attached(self, store, capsys):
        """A segment whose bytes changed after sealing stops the query (exit 1)."""
        write_rows(store, _logins(3))
        seg = max(store.segments_dir.glob("*.parquet"))
        seg.chmod(0o644)
        data = bytearray(seg.read_bytes())
        data[100] ^= 1
        seg.write_bytes(bytes(data))
        code, out, err = run(capsys, "sql", "--store", store.root, "SELECT count(*) FROM events")
        assert code == 1
        assert "SegmentAltered" in err
        assert out == ""

    def test_seal_cache_does_not_hide_a_changed_seal(self, store, capsys):
        """After a cached run, a seal with a changed signature fails verification again."""
        write_rows(store, _logins(3))
        assert run(capsys, "sql", "--store", store.root, "SELECT 1")[0] == 0
        seal = store.seal_path(1)
        doc = json.loads(seal.read_bytes())
        sig = doc["dsseEnvelope"]["signatures"][0]["sig"]
        doc["dsseEnvelope"]["signatures"][0]["sig"] = ("A" if sig[0] != "A" else "B") + sig[1:]
        seal.chmod(0o644)
        seal.write_text(json.dumps(doc))
        code, _, err = run(capsys, "sql", "--store", store.root, "SELECT 1")
        assert code == 1
        assert "SealInvalid" in err

    def test_every_query_is_recorded(self, store, capsys):
        """Each run leaves a sealed sql_run record with the query, its hash and the rows."""
        write_rows(store, _logins(2))
        query = "SELECT * FROM auth"
        assert run(capsys, "sql", "--store", store.root, "--format", "json", query)[0] == 0
        (rec,) = system_events(store, "sql_run")
        assert rec["query"] == query
        assert rec["query_sha256"] == hashlib.sha256(query.encode()).hexdigest()
        assert rec["rows"] == 2
        assert rec["outcome"] == "success"
        assert rec["user"]
        run(capsys, "sql", "--store", store.root, "SELECT * FROM no_such_view")
        assert [r["outcome"] for r in system_events(store, "sql_run")] == ["success", "failure"]


class TestTimePruning:
    def test_one_hour_opens_only_that_hours_segments(self, store, capsys):
        """Three hourly segments (and one of system records): one hour opens one file."""
        batches = [rows_batch("app.log", _logins(5, t0=3600 * h)) for h in range(3)]
        write_batches(store, batches)
        window = TimeWindow(at(3600), at(7200))
        session = open_session(store, window)
        assert len(session.inputs.segments) == 1
        assert session.total_segments == 4  # and the writer's closing record
        code, out, err = run(
            capsys,
            "sql",
            "--store",
            store.root,
            "--format",
            "json",
            "--since",
            at(3600).isoformat(),
            "--until",
            at(7200).isoformat(),
            "SELECT count(*) AS n, min(ts) AS first FROM auth",
        )
        assert code == 0
        assert json_lines(out)[0]["n"] == 5
        assert "read 1 of 4 sealed segments" in err

    def test_window_edges_are_half_open(self, store, capsys):
        """A record at --until is outside; one at --since is inside."""
        write_rows(store, [{"event_time": at(0)}, {"event_time": at(60)}])
        _code, out, _ = run(
            capsys,
            "sql",
            "--store",
            store.root,
            "--format",
            "json",
            "--since",
            at(0).isoformat(),
            "--until",
            at(60).isoformat(),
            "SELECT count(*) AS n FROM events WHERE source <> 'logchain'",
        )
        assert json_lines(out) == [{"n": 1}]

    def test_records_without_event_time_use_ingest_time(self, store, capsys):
        """A record with no parsed time is found by the time it was ingested."""
        write_rows(store, [{"message": "no time here"}])
        _, out, _ = run(
            capsys,
            "sql",
            "--store",
            store.root,
            "--format",
            "json",
            "--since",
            "-1h",
            "SELECT count(*) AS n FROM events WHERE message = 'no time here'",
        )
        assert json_lines(out) == [{"n": 1}]
        _code, out, _ = run(
            capsys,
            "sql",
            "--store",
            store.root,
            "--format",
            "json",
            "--until",
            "-1h",
            "SELECT count(*) AS n FROM events",
        )
        assert json_lines(out) == [{"n": 0}]


def test_copied_store_answers_the_same(store, capsys, tmp_path):
    """An evidence copy of the store gives the same answer (nothing depends on the path)."""
    write_rows(store, _logins(6))
    copy = tmp_path / "copy"
    shutil.copytree(store.root, copy)
    q = "SELECT src_ip, count(*) AS n FROM auth GROUP BY src_ip ORDER BY src_ip"
    a = run(capsys, "sql", "--store", store.root, "--format", "json", q)[1]
    b = run(capsys, "sql", "--store", copy, "--format", "json", q)[1]
    assert a == b
