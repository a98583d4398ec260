"""`logchain.toml`: the documented example loads; every bad value is named by file and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.parsers import ParserOptions
from logchain.cli import main
from logchain.cli.config import Overrides, apply_overrides, load_config
from logchain.errors import EXIT_USAGE, ConfigError
from logchain.store import Store

DOC = Path(__file__).resolve().parents[2] / "docs" / "CONFIG.md"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "logchain.toml"
    path.write_text(text, encoding="utf-8")
    return path


def documented_example() -> str:
    match = re.search(r"## Example\n\n```toml\n(.*?)```", DOC.read_text(), re.S)
    assert match is not None, "docs/CONFIG.md has no example"
    return match.group(1)


def test_documented_example_loads(tmp_path: Path) -> None:
    """The example in docs/CONFIG.md is valid and means what the document says."""
    store = tmp_path / "store"
    (store / "private").mkdir(parents=True)
    (store / "private" / "signing-key.pem").write_text("key")
    cfg = load_config(
        write(tmp_path, documented_example().replace("/var/lib/logchain/store", str(store)))
    )
    assert cfg.store == store
    assert cfg.seal_interval == 60
    assert cfg.segments.max_bytes == 256 * 1024 * 1024
    assert cfg.segments.limits(60).max_age_s == 10
    assert cfg.sealing.tsa == ("http://tsa.internal.example/tsr",)
    assert cfg.watch.workers == 0
    auth, nginx = cfg.sources
    assert auth.name == "web01-auth"
    assert auth.tags == (("component", "sshd"), ("host", "web01"), ("system", "billing"))
    assert auth.parser_options == ParserOptions(timezone="Europe/London")
    assert auth.backlog
    assert nginx.is_glob
    assert nginx.format == "generic"
    assert nginx.parser_options == ParserOptions(timezone="Europe/London", year=2025)
    assert nginx.source_name("/var/log/nginx/a.log") == "/var/log/nginx/a.log"


def test_every_key_is_documented() -> None:
    """Each key the loader accepts has a row in docs/CONFIG.md."""
    from ingest.config import SOURCE_KEYS, WATCH_KEYS
    from logchain.cli.config import SEALING_KEYS, SEGMENT_KEYS, TOP_KEYS

    text = DOC.read_text()
    for key in (*TOP_KEYS, *SEGMENT_KEYS, *SEALING_KEYS, *WATCH_KEYS, *SOURCE_KEYS):
        assert f"`{key}`" in text or f"[{key}]" in text or f"[[{key}]]" in text, key


def test_relative_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    """`store` and source paths are taken relative to the configuration's directory."""
    cfg = load_config(write(tmp_path, 'store = "st"\n[[source]]\npath = "logs/*.log"\n'))
    assert cfg.store == tmp_path.resolve() / "st"
    assert cfg.sources[0].path == str(tmp_path.resolve() / "logs" / "*.log")


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ('stroe = "x"', "stroe", "did you mean 'store'"),
        ("[segments]\nmax_records = 'lots'", "segments.max_records", "must be an integer"),
        ("[segments]\nmax_records = 0", "segments.max_records", "must be positive"),
        ("[segments]\nmax_bytes = '12 parsecs'", "segments.max_bytes", "byte count"),
        ("[segments]\nmax_age = -1", "segments.max_age", "positive"),
        ("seal_interval = 0", "seal_interval", "1..86400"),
        ("[watch]\nobserver = 'fanotify'", "watch.observer", '"inotify" or "polling"'),
        ("[watch]\nworkers = -1", "watch.workers", "zero or more"),
        ("[watch]\nrotate_wait = true", "watch.rotate_wait", "must be a number"),
        ("[sealing]\ntsa = ['ftp://x']", "sealing.tsa[0]", "http:// or https://"),
        ("[sealing]\nlocal_tsa = false", "sealing.local_tsa", "at least one TSA"),
        ("[sealing]\nkey = 'missing.pem'", "sealing.key", "no signing key"),
        ("[[source]]\nformat = 'auto'", "source[0].path", "is required"),
        ("[[source]]\npath = '/x'\nformat = 'sylsog'", "source[0].format", "unknown format"),
        ("[[source]]\npath = '/x'\ntimezone = 'Mars/Olympus'", "source[0].timezone", "IANA"),
        ("[[source]]\npath = '/x'\nmax_line_bytes = '2GiB'", "source[0].max_line_bytes", "1 GiB"),
        ("[[source]]\npath = '/x'\ntags = { host = 7 }", "source[0].tags.host", "strings"),
        ("[[source]]\npath = '/x/*.log'\nname = 'n'", "source[0].name", "glob source"),
        ("[[source]]\npath = '/x'\nbacklog = 'yes'", "source[0].backlog", "true or false"),
        ("[defaults]\npath = '/x'", "defaults.path", "unknown key"),
        ("[[source]]\npath='/a'\nname='n'\n[[source]]\npath='/b'\nname='n'", "source", "unique"),
    ],
)
def test_bad_values_name_file_and_key(tmp_path: Path, text: str, key: str, message: str) -> None:
    """Each invalid setting raises ConfigError naming the key and the file, saying what is wrong."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        load_config(path)
    assert err.value.key == key
    assert err.value.path is not None
    assert str(path.name) in err.value.message
    assert f"at key {key!r}" in err.value.message


def test_unreadable_and_invalid_toml(tmp_path: Path) -> None:
    """A missing file and a TOML syntax error are ConfigErrors naming the file."""
    with pytest.raises(ConfigError, match="cannot read the configuration"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match=r"not valid TOML: .*line 1"):
        load_config(write(tmp_path, "store = \n"))


def test_defaults_apply_to_sources_and_tags_merge(tmp_path: Path) -> None:
    """[defaults] fills what a source leaves out; a source's tags add to the default tags."""
    cfg = load_config(
        write(
            tmp_path,
            "[defaults]\nformat = 'generic'\nmax_line_bytes = '64KiB'\ntags = { system = 's' }\n"
            "[[source]]\npath = '/a'\ntags = { host = 'h' }\n",
        )
    )
    (src,) = cfg.sources
    assert src.format == "generic"
    assert src.max_line_bytes == 64 * 1024
    assert src.tags == (("host", "h"), ("system", "s"))


def test_flags_override_the_file(tmp_path: Path) -> None:
    """Command-line flags take precedence over the file's values."""
    cfg = load_config(
        write(tmp_path, "store = '/a'\n[watch]\nworkers = 1\n[segments]\nmax_age = 5\n")
    )
    over = apply_overrides(
        cfg, Overrides(store=Path("/b"), tsa=("http://t",), polling=True, workers=0, max_age=1.5)
    )
    assert over.store == Path("/b")
    assert over.sealing.tsa == ("http://t",)
    assert over.watch.observer == "polling"
    assert over.watch.workers == 0
    assert over.segments.max_age == 1.5
    assert apply_overrides(cfg, Overrides()) == cfg


def test_store_must_exist_and_keep_its_seal_interval(tmp_path: Path, store: Store) -> None:
    """A missing store and a seal_interval unlike the store's are named errors."""
    missing = load_config(write(tmp_path, "store = 'nowhere'\n"))
    with pytest.raises(ConfigError, match="not a logchain store") as err:
        missing.require_store()
    assert err.value.key == "store"
    cfg = load_config(write(tmp_path, f"store = '{store.root}'\nseal_interval = 30\n"))
    with pytest.raises(ConfigError, match="created with 60 s") as err:
        cfg.check_store(cfg.require_store())
    assert err.value.key == "seal_interval"


def test_cli_reports_config_errors_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`logchain watch` with a bad file exits 2 and says what, where, and what to do."""
    path = write(tmp_path, "[watch]\nobserver = 'fanotify'\n")
    assert main(["watch", "--config", str(path)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "watch.observer" in err
    assert str(path.name) in err
    assert "docs/CONFIG.md" in err


def test_watch_needs_a_source(tmp_path: Path, store: Store, capsys: pytest.CaptureFixture[str]):
    """A configuration without [[source]] is refused by `logchain watch` (exit 2)."""
    path = write(tmp_path, f"store = '{store.root}'\n")
    assert main(["watch", "--config", str(path)]) == EXIT_USAGE
    assert "nothing to watch" in capsys.readouterr().err
