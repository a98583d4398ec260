"""`logchain init` and `logchain ingest` end to end: byte-exact records from real files."""

from __future__ import annotations

import pyarrow.compute as pc
import pyarrow.parquet as pq

from logchain.record import RecordFlag


def rebuild(store, log) -> bytes:
    """The source file rebuilt from its sealed records: raw, plus \\n unless NO_NEWLINE."""
    tables = [pq.read_table(p) for p in sorted((store / "segments").glob("*.parquet"))]
    out = []
    for t in tables:
        t = t.filter(pc.equal(t.column("source").cast("string"), str(log.resolve())))
        for raw, flags in zip(
            t.column("raw").to_pylist(), t.column("flags").to_pylist(), strict=True
        ):
            out.append(raw + (b"" if flags & RecordFlag.NO_NEWLINE else b"\n"))
    return b"".join(out)


class TestInit:
    def test_init_creates_a_store(self, tmp_path, run):
        """init writes the manifest, trust material and a genesis seal; --json reports them."""
        res = run("init", tmp_path / "s", "--seal-interval", "30", "--json")
        assert res.code == 0
        doc = res.json()
        assert (doc["format"], doc["seal_interval_s"]) == ("logchain/v1", 30)
        assert (tmp_path / "s" / "trust" / "keyring.json").is_file()
        assert (tmp_path / "s" / "seals" / "000000000000.sigstore.json").is_file()

    def test_init_refuses_an_existing_store(self, tmp_path, run):
        """A second init on the same directory is a usage error (exit 2) that says why."""
        assert run("init", tmp_path / "s").code == 0
        res = run("init", tmp_path / "s")
        assert res.code == 2
        assert "already holds a logchain store" in res.err


class TestIngest:
    def test_crlf_and_last_line_without_newline(self, tmp_path, run):
        """CRLF lines keep their \\r, a last line without \\n is a record, the file rebuilds."""
        log = tmp_path / "win.log"
        data = b"one\r\ntwo\r\n\r\n\xff\xfe binary \x00\r\nthree without newline"
        log.write_bytes(data)
        assert run("init", tmp_path / "s").code == 0
        res = run("ingest", "--store", tmp_path / "s", log, "--json")
        assert res.code == 0
        assert res.json()["files"][0]["records"] == 5
        assert res.json()["files"][0]["to_offset"] == len(data)
        assert rebuild(tmp_path / "s", log) == data
        raws = rebuild(tmp_path / "s", log).split(b"\n")
        assert raws[0] == b"one\r"

    def test_ingest_twice_stores_each_line_once(self, ingested, run):
        """Ingesting the same unchanged file again adds nothing: the sealed checkpoint resumes."""
        store, log = ingested
        res = run("ingest", "--store", store, log, "--json")
        assert res.code == 0
        assert res.json()["files"][0]["records"] == 0
        assert rebuild(store, log) == log.read_bytes()

    def test_appended_lines_are_picked_up(self, ingested, run):
        """Lines appended after an ingest are ingested from the sealed offset on."""
        store, log = ingested
        with log.open("ab") as fh:
            fh.write(b"one more line\n")
        res = run("ingest", "--store", store, log, "--json")
        assert res.json()["files"][0]["records"] == 1
        assert rebuild(store, log) == log.read_bytes()
