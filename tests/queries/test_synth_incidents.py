"""End to end on the seeded generator: every embedded incident is found by `logchain detect`.

The generator (ingest.synth) writes a day of seven real formats with known incidents; the
files go through the project's real parsers into a sealed store, and one `logchain detect` run
must report each incident of its ground truth, with the right entity and evidence.
"""

from __future__ import annotations

import json

import pytest

from ingest.parsers import get_parser
from ingest.synth import FORMATS, ground_truth, write_sample_logs
from ingest.synth.world import ALLOWLIST
from tests.queries.cli_helpers import json_lines, run
from tests.queries.helpers import sample_batch, write_batches

SEED = 7
pytestmark = pytest.mark.slow


@pytest.fixture
def detected(store, tmp_path, capsys):
    paths = write_sample_logs(tmp_path / "logs", records=20_000, seed=SEED)
    write_batches(store, [sample_batch(p, get_parser(FORMATS[p.name]).parse) for p in paths])
    allow = ",".join(["10.0.0.0/8", *ALLOWLIST])
    code, out, err = run(
        capsys, "detect", "--store", store.root, "--format", "json", "-p", f"allowlist={allow}"
    )
    assert code == 0, err
    found: dict[str, list[dict[str, object]]] = {}
    for f in json_lines(out):
        found.setdefault(str(f["rule_id"]), []).append(f)
    return found


def _entities(found, rule):
    return {f["entity"] for f in found.get(rule, [])}


def test_every_incident_is_found(detected):
    """Brute force, escalation, exfiltration, USB, archive, DNS tunnel, errors, silence."""
    t = ground_truth(SEED)
    bf = t.brute_force
    (brute,) = detected["auth-brute-force-source"]
    assert brute["entity"] == bf.src_ip
    assert brute["count"] == bf.failed_lines
    (success,) = detected["auth-success-after-failures"]
    assert success["entity"] == bf.src_ip
    assert json.loads(success["detail"])["user"] == bf.user
    assert bf.user in _entities(detected, "auth-brute-force-user")

    pe = t.privilege_escalation
    escalations = {
        f["entity"]: json.loads(f["detail"])["reasons"]
        for f in detected["privilege-escalation-attempt"]
    }
    assert "sudo-refused" in escalations[pe.sudo_user]
    assert "switch-user-by-service-account" in escalations[f"uid={pe.su_from_uid}"]

    off = t.off_hours_transfer
    assert off.src_ip in _entities(detected, "exfil-off-hours")
    unlisted = _entities(detected, "exfil-destination-not-allowlisted")
    for tr in t.unlisted_transfers:
        assert f"{tr.src_ip} -> {tr.dst_ip}" in unlisted
    assert f"{off.src_ip} -> {off.dst_ip}" in unlisted
    assert not any("198.51.100." in e for e in unlisted)  # allow-listed partners stay quiet

    (usb,) = detected["exfil-removable-media"]
    assert usb["entity"] == t.usb.host
    assert {"attach", "mount", "write"} <= set(json.loads(usb["detail"])["kinds"])

    archive = {f["entity"] for f in detected["exfil-archive-then-transfer"]}
    assert t.archive_transfer.user in archive

    (dns,) = detected["exfil-dns-tunnel-labels"]
    assert dns["entity"] == f"{t.dns_tunnel.src_ip} -> {t.dns_tunnel.domain.split('.', 1)[1]}"
    assert dns["count"] == t.dns_tunnel.queries

    (errors,) = detected["anomaly-error-rate-spike"]
    assert errors["count"] == t.error_burst.errors

    silent = {f["entity"].split("@")[-1] for f in detected["anomaly-source-silent"]}
    assert silent == {t.silent_host}
