"""`logchain sql`: read-only DuckDB over verified segments, views records and seals."""

from __future__ import annotations

import csv
import io
import json


class TestSql:
    def test_records_view_csv(self, ingested, run):
        """The records view holds every ingested line; csv output has a header row."""
        store, log = ingested
        res = run(
            "sql",
            "--store",
            store,
            "SELECT count(*) AS n, min(index) AS first FROM records WHERE source = $src",
            "-p",
            f"src={log.resolve()}",
            "--format",
            "csv",
        )
        assert res.code == 0
        rows = list(csv.reader(io.StringIO(res.out)))
        assert rows == [["n", "first"], ["50", "2"]]  # after writer_opened and file_opened

    def test_seals_view_json_with_parameter(self, ingested, run):
        """The seals view lists every seal; -p binds $kind; json prints one object per row."""
        store, _ = ingested
        res = run(
            "sql",
            "--store",
            store,
            "SELECT seal_index, kind, self_timestamped FROM seals WHERE kind = $kind",
            "-p",
            "kind=segment",
            "--format",
            "json",
        )
        assert res.code == 0
        rows = [json.loads(line) for line in res.out.splitlines()]
        assert rows == [{"seal_index": 2, "kind": "segment", "self_timestamped": True}]

    def test_table_format(self, ingested, run):
        """The default table format renders the column names and the row count on stderr."""
        store, _ = ingested
        res = run("sql", "--store", store, "SELECT kind, count(*) AS n FROM seals GROUP BY kind")
        assert res.code == 0
        assert "kind" in res.out
        assert "genesis" in res.out
        assert "4 rows" in res.err

    def test_writing_files_is_refused(self, ingested, run, tmp_path):
        """COPY ... TO a file is refused by the locked-down connection; nothing is written."""
        store, _ = ingested
        target = tmp_path / "exfil.csv"
        query = f"COPY (SELECT raw FROM records) TO '{target}'"  # noqa: S608 -- the attack
        res = run("sql", "--store", store, query)
        assert res.code == 2  # the statement is refused: a usage error
        assert "file system operations are disabled" in res.err
        assert not target.exists()

    def test_bad_parameter_syntax(self, ingested, run):
        """A -p value without NAME=VALUE is a usage error."""
        store, _ = ingested
        res = run("sql", "--store", store, "SELECT 1", "-p", "novalue")
        assert res.code == 2
        assert "is not NAME=VALUE" in res.err

    def test_altered_segment_is_not_queried(self, ingested, run):
        """A segment whose bytes differ from its seal is never attached: exit 1."""
        from tests.e2e.conftest import flip_raw_byte

        store, _ = ingested
        flip_raw_byte(store, 2, 3)
        res = run("sql", "--store", store, "SELECT count(*) FROM records")
        assert res.code == 1
        assert "SegmentAltered: seal 2: segment 000000000002.parquet was altered" in res.err


def test_sql_syntax_error_is_a_usage_error(ingested, run):
    """A malformed statement exits 2 (usage) and names DuckDB's complaint."""
    store, _ = ingested
    res = run("sql", "--store", store, "SELEC 1")
    assert res.code == 2
    assert "QueryInvalid" in res.err
    assert "syntax error" in res.err.lower()
