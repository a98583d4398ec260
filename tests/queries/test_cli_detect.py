"""detect -> evidence -> proofs in three commands; receipts that replay exactly or say why not."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from logchain.cli.receipts import findings_dir, read_receipt, sign_receipt
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.store import Store
from tests.queries.cli_helpers import json_lines, run, system_events
from tests.queries.helpers import at, write_rows

RULE = "auth-brute-force-source"


def _attack(store: Store) -> None:
    rows = [
        {
            "event_time": at(i),
            "app": "sshd",
            "action": "login",
            "outcome": "failure",
            "src_ip": "203.0.113.66",
            "user": "root",
        }
        for i in range(35)
    ]
    write_rows(store, rows)


def _detect(capsys, store: Store, *extra: object) -> list[dict[str, object]]:
    code, out, _ = run(capsys, "detect", "--store", store.root, "--format", "json", *extra)
    assert code == 0
    return json_lines(out)


class TestThreeCommands:
    def test_detect_then_raw_lines_then_proofs(self, store, capsys, tmp_path):
        """detect names the finding; sql shows its raw lines; prove --finding proves each."""
        _attack(store)
        (finding,) = _detect(capsys, store, "--rule", RULE)
        assert finding["rule_id"] == RULE
        assert finding["clause"] == "G2.6"
        assert finding["count"] == 35
        # 2. the raw lines
        code, out, _ = run(
            capsys,
            "sql",
            "--store",
            store.root,
            "--format",
            "json",
            "SELECT index, raw FROM evidence WHERE finding_id = $id ORDER BY index",
            "-p",
            f"id={finding['finding_id']}",
        )
        assert code == 0
        lines = json_lines(out)
        assert [r["index"] for r in lines] == finding["evidence"]
        assert all('"203.0.113.66"' in r["raw"] for r in lines)
        # 3. the inclusion proofs
        proofs = tmp_path / "proofs"
        code, _, _ = run(
            capsys, "prove", "--store", store.root, "--finding", finding["finding_id"], "-o", proofs
        )
        assert code == 0
        files = sorted(proofs.glob("*.proof.json"))
        assert len(files) == 35
        for f in files[:3] + files[-1:]:
            assert run(capsys, "verify-proof", f, "--trust", store.trust_dir)[0] == 0
        (rec,) = system_events(store, "proof_exported")
        assert rec["finding_id"] == finding["finding_id"]

    def test_no_findings_is_exit_zero(self, store, capsys):
        """A clean store: exit 0, no findings, and the run is still recorded and receipted."""
        write_rows(store, [{"event_time": at(0), "message": "quiet"}])
        assert _detect(capsys, store) == []
        (rec,) = system_events(store, "detect_run")
        assert rec["findings"] == 0
        assert Path(rec["receipt"]).is_file()

    def test_findings_view_lists_runs(self, store, capsys):
        """The findings view shows every verified run's findings."""
        _attack(store)
        _detect(capsys, store, "--rule", RULE)
        _detect(capsys, store, "--rule", RULE, "-p", "min_failures=35")
        _code, out, _ = run(
            capsys,
            "sql",
            "--store",
            store.root,
            "--format",
            "json",
            "SELECT count(DISTINCT run_id) AS runs, count(*) AS n FROM findings",
        )
        assert json_lines(out) == [{"runs": 2, "n": 2}]

    def test_altered_findings_file_is_refused(self, store, capsys):
        """A findings file changed after its receipt was signed stops every query."""
        _attack(store)
        _detect(capsys, store, "--rule", RULE)
        (path,) = findings_dir(store).glob("*.parquet")
        path.chmod(0o644)
        path.write_bytes(path.read_bytes() + b"x")
        code, _, err = run(capsys, "sql", "--store", store.root, "SELECT 1")
        assert code == 1
        assert "ReceiptInvalid" in err

    def test_bad_parameter_is_usage_error(self, store, capsys):
        """-p with a name no selected rule has is refused before anything runs."""
        code, _, err = run(capsys, "detect", "--store", store.root, "--rule", RULE, "-p", "nope=1")
        assert code == 2
        assert "nope" in err


class TestReplay:
    def test_detect_receipt_replays_exactly_on_a_copy(self, store, capsys, tmp_path):
        """The receipt reproduces its hash on the store and on an evidence copy, after growth."""
        _attack(store)
        _detect(capsys, store)
        (receipt,) = findings_dir(store).glob("*.receipt.json")
        write_rows(
            store,
            [
                {
                    "event_time": at(5),
                    "app": "sshd",
                    "action": "login",
                    "outcome": "failure",
                    "src_ip": "203.0.113.66",
                }
            ],
        )  # the store grows
        code, out, _ = run(capsys, "replay", receipt, "--store", store.root)
        assert code == 0
        assert out.startswith("OK: reproduced detect result sha256")
        copy = tmp_path / "evidence"
        shutil.copytree(store.root, copy, ignore=shutil.ignore_patterns("private"))
        assert (
            run(
                capsys,
                "replay",
                copy / "findings" / receipt.name,
                "--store",
                copy,
                "--trust",
                store.trust_dir,
            )[0]
            == 0
        )

    def test_sql_receipt_and_missing_segment(self, store, capsys, tmp_path):
        """sql --receipt replays; with a segment gone the replay names the seal and file."""
        _attack(store)
        receipt = tmp_path / "q.receipt.json"
        q = "SELECT src_ip, count(*) AS n FROM auth GROUP BY src_ip"
        assert run(capsys, "sql", "--store", store.root, q, "--receipt", receipt)[0] == 0
        assert (tmp_path / "q.result.parquet").is_file()
        assert run(capsys, "replay", receipt, "--store", store.root)[0] == 0
        copy = tmp_path / "copy"
        shutil.copytree(store.root, copy)
        victim = min(Path(copy, "segments").glob("*.parquet"))
        victim.chmod(0o644)
        victim.unlink()
        code, _, err = run(capsys, "replay", receipt, "--store", copy)
        assert code == 1
        assert "ReplayMismatch" in err
        assert f"segment of seal {int(victim.stem)} is missing" in err

    def test_rows_that_differ_are_named(self, store, capsys, tmp_path):
        """A signed result the data does not give: the replay lists the rows lost and gained."""
        _attack(store)
        receipt = tmp_path / "q.receipt.json"
        assert (
            run(
                capsys,
                "sql",
                "--store",
                store.root,
                "SELECT src_ip, count(*) AS n FROM auth GROUP BY src_ip",
                "--receipt",
                receipt,
            )[0]
            == 0
        )
        original = read_receipt(receipt, store_verifier(store))
        spec = dataclasses.replace(
            original.queries[0], sql="SELECT src_ip, count(*) + 1 AS n FROM auth GROUP BY src_ip"
        )
        forged = dataclasses.replace(original, queries=(spec,))
        forged_path = tmp_path / "forged.receipt.json"
        sign_receipt(forged, store_sealer(store), forged_path)
        shutil.copy(tmp_path / "q.result.parquet", tmp_path / "forged.result.parquet")
        code, _, err = run(capsys, "replay", forged_path, "--store", store.root)
        assert code == 1
        assert 'row lost: ["203.0.113.66",35]' in err
        assert 'row gained: ["203.0.113.66",36]' in err

    def test_tampered_receipt_is_refused(self, store, capsys, tmp_path):
        """A receipt edited after signing does not verify."""
        _attack(store)
        receipt = tmp_path / "q.receipt.json"
        run(capsys, "sql", "--store", store.root, "SELECT 1 AS one", "--receipt", receipt)
        text = receipt.read_text().replace('"sig": "', '"sig": "AAAA', 1)
        bad = tmp_path / "bad.receipt.json"
        bad.write_text(text)
        code, _, err = run(capsys, "replay", bad, "--store", store.root)
        assert code == 1
        assert "ReceiptInvalid" in err
