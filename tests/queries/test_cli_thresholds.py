"""G6 thresholds: validated files, signed changes, and refusal (with a record) of anything else."""

from __future__ import annotations

import pytest

from logchain.errors import ConfigError
from queries.thresholds import load_thresholds
from sealing.keys import generate_key, save_key
from sealing.trust import ROLE_SEAL, Keyring, Validity
from tests.queries.cli_helpers import json_lines, run, system_events
from tests.queries.helpers import T0, at, write_rows

TOML = """\
serial = {serial}
description = "sudo limit"
[[request_limit]]
user = "*"
request_type = "sudo"
window_s = 60
max_count = {limit}
"""


def _file(tmp_path, serial: int, limit: int = 2):
    path = tmp_path / f"t{serial}-{limit}.toml"
    path.write_text(TOML.format(serial=serial, limit=limit))
    return path


def _sign(capsys, store, tmp_path, serial: int, limit: int = 2, *extra: object):
    out = tmp_path / f"t{serial}-{limit}.sigstore.json"
    code, _, err = run(
        capsys,
        "thresholds",
        "sign",
        "--store",
        store.root,
        _file(tmp_path, serial, limit),
        "-o",
        out,
        *extra,
    )
    assert code == 0, err
    return out


def _apply(capsys, store, bundle):
    return run(capsys, "thresholds", "apply", "--store", store.root, bundle)


class TestApply:
    def test_signed_change_applies_and_drives_g6(self, store, capsys, tmp_path):
        """A signed change is applied, shown, and used by g6-request-rate."""
        write_rows(
            store, [{"event_time": at(i), "user": "ann", "action": "sudo"} for i in range(3)]
        )
        assert _apply(capsys, store, _sign(capsys, store, tmp_path, 1))[0] == 0
        _, out, _ = run(capsys, "thresholds", "show", "--store", store.root)
        assert "serial 1" in out
        assert "at most 2 per 60 s" in out
        _code, out, _ = run(
            capsys, "detect", "--store", store.root, "--rule", "g6-request-rate", "--format", "json"
        )
        (f,) = json_lines(out)
        assert f["entity"] == "ann / sudo"
        assert f["count"] == 3
        (rec,) = system_events(store, "thresholds_applied")
        assert rec["serial"] == 1

    def test_replayed_change_is_refused_and_recorded(self, store, capsys, tmp_path):
        """Applying the same signed bundle twice: the second is refused and recorded."""
        bundle = _sign(capsys, store, tmp_path, 1)
        assert _apply(capsys, store, bundle)[0] == 0
        code, _, err = _apply(capsys, store, bundle)
        assert code == 2
        assert "not higher than serial 1" in err
        (rec,) = system_events(store, "thresholds_rejected")
        assert "replayed" in rec["reason"]

    def test_stale_serial_after_newer(self, store, capsys, tmp_path):
        """Serial 1 signed before serial 2 was applied cannot roll the limits back."""
        old = _sign(capsys, store, tmp_path, 1, 100)
        assert _apply(capsys, store, _sign(capsys, store, tmp_path, 2, 5))[0] == 0
        assert _apply(capsys, store, old)[0] == 2

    def test_deleting_the_applied_file_does_not_reopen_its_serial(self, store, capsys, tmp_path):
        """The chain's thresholds_applied record keeps the serial even if the file goes."""
        assert _apply(capsys, store, _sign(capsys, store, tmp_path, 1, 2))[0] == 0
        for f in (store.root / "thresholds").iterdir():
            f.chmod(0o644)
            f.unlink()
        code, _, err = _apply(capsys, store, _sign(capsys, store, tmp_path, 1, 99))
        assert code == 2
        assert "not higher than serial 1" in err

    def test_unsigned_file_is_refused_and_recorded(self, store, capsys, tmp_path):
        """A plain TOML file is not a signed change."""
        code, _, err = _apply(capsys, store, _file(tmp_path, 1))
        assert code == 2
        assert "ThresholdsRejected" in err
        (rec,) = system_events(store, "thresholds_rejected")
        assert "not a valid signed change" in rec["reason"]

    def test_key_without_the_role_is_refused(self, store, capsys, tmp_path):
        """A key in the keyring with only the seal role cannot change thresholds."""
        key = generate_key()
        key_path = tmp_path / "other.pem"
        save_key(key, key_path)
        ring = Keyring.load(store.keyring_path)
        ring.add(key.public_key(), Validity(T0.replace(year=2020)), [ROLE_SEAL])
        store.keyring_path.chmod(0o644)
        ring.save(store.keyring_path)
        bundle = _sign(capsys, store, tmp_path, 1, 2, "--key", key_path)
        code, _, err = _apply(capsys, store, bundle)
        assert code == 2
        assert "threshold-admin" in err

    def test_change_for_another_store_is_refused(self, store, capsys, tmp_path, request):
        """A change signed for one store does not apply to another."""
        import shutil

        template = request.getfixturevalue("_template_store")

        from logchain.store import Manifest, Store

        other = Store(tmp_path / "other")
        shutil.copytree(template, other.root)
        m = other.manifest()
        (other.root / "logchain.json").write_text(
            __import__("json").dumps(
                Manifest("another-log", m.created, m.seal_interval_s).to_json()
            )
        )
        bundle = _sign(capsys, other, tmp_path, 7)
        code, _, err = _apply(capsys, store, bundle)
        assert code == 2
        assert "signed for store another-log" in err


class TestValidation:
    def test_errors_name_file_and_key(self, tmp_path):
        """A negative limit names request_limit[0].max_count and the file."""
        path = tmp_path / "bad.toml"
        path.write_text(TOML.format(serial=1, limit=-1))
        with pytest.raises(ConfigError, match=r"request_limit\[0\]\.max_count") as exc:
            load_thresholds(path)
        assert str(path) in exc.value.message

    @pytest.mark.parametrize(
        ("text", "key"),
        [
            ("serial = 0", "serial"),
            ("serial = 1\nbogus = 2", "bogus"),
            ('serial = 1\n[[data_value]]\nrequest_type = "*"\nfield = "x"\nmax = 1', "field"),
            (
                'serial = 1\n[[data_value]]\nrequest_type = "*"\nfield = "bytes_out"\n'
                "min = 5\nmax = 1",
                "min",
            ),
            (
                'serial = 1\n[[critical_command]]\nname = "a"\nmatch = "b"\n'
                "window_s = 0\nmax_total = 1",
                "window_s",
            ),
            ("serial = [", "TOML"),
        ],
    )
    def test_bad_values(self, tmp_path, text, key):
        """Each invalid value is refused with the key (or the TOML error) named."""
        path = tmp_path / "bad.toml"
        path.write_text(text)
        with pytest.raises(ConfigError, match=key):
            load_thresholds(path)
