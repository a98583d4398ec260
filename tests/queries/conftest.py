"""Fixtures for query and detection tests: real stores built once per session from samples."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from logchain.store import Store
from tests.conftest import require_shared_data
from tests.queries.helpers import sample_batch, write_batches
from tests.queries.samples import NORMALISERS

SAMPLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "openssh": ("syslog", ("loghub", "OpenSSH", "OpenSSH_2k.log")),
    "mac": ("syslog", ("loghub", "Mac", "Mac_2k.log")),
    "tomcat": (
        "access",
        (
            "evtx_attack_samples_tomcat_access",
            "web_attack_and_isp_webshell_localhost_access_log.txt",
        ),
    ),
    "zeek_conn": ("zeek", ("otrf_apt29_day1_zeek", "SCRANTON_conn.log")),
    "zeek_http": ("zeek", ("otrf_apt29_day1_zeek", "SCRANTON_http.log")),
    "auditd": (
        "auditd",
        ("ait_lds_v2_russellmitchell_auditd", "russelmitchell_intranet_server_audit.log"),
    ),
    "apache": ("apache_error", ("loghub", "Apache", "Apache_2k.log")),
    "cloudtrail": (
        "cloudtrail",
        ("otrf_aws_s3_exfiltration", "ec2_proxy_s3_exfiltration.zip"),
    ),
}


@pytest.fixture(autouse=True)
def _state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the seal cache and shell history out of the real home directory."""
    monkeypatch.setenv("LOGCHAIN_STATE_DIR", str(tmp_path_factory.getbasetemp() / "state"))


@pytest.fixture(scope="session")
def sample_store(
    tmp_path_factory: pytest.TempPathFactory, _template_store: Path
) -> Callable[..., Store]:
    """``sample_store("openssh", "tomcat")``: one sealed store holding those real samples."""
    made: dict[tuple[str, ...], Store] = {}

    def make(*names: str) -> Store:
        if names in made:
            return made[names]
        batches = []
        for name in names:
            kind, parts = SAMPLES[name]
            path = require_shared_data(*parts)
            if path.suffix == ".zip":
                out = tmp_path_factory.mktemp("unzipped")
                with zipfile.ZipFile(path) as z:
                    member = z.namelist()[0]
                    path = out / Path(member).name
                    path.write_bytes(z.read(member))
            batches.append(sample_batch(path, NORMALISERS[kind]))
        dest = tmp_path_factory.mktemp("sample") / "store"
        shutil.copytree(_template_store, dest)
        made[names] = write_batches(Store(dest), batches)
        return made[names]

    return make
