"""`logchain thresholds show|sign|apply`: G6 thresholds under signed change control.

A change takes effect only as a bundle signed by a key with the ``threshold-admin`` role in the
store's keyring, for this store, with a serial higher than any applied before (G6.6A). A rejected
change (unsigned, wrong role, another store, replayed or stale serial) is refused and recorded
as a ``thresholds_rejected`` system record; an applied one as ``thresholds_applied``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NoReturn

import click

from logchain.cli._common import open_store, print_json, store_option
from logchain.cli.audit import record_access
from logchain.cli.query_session import open_session, session_connection
from logchain.cli.thresholds_store import (
    active_thresholds,
    admin_verifier,
    applied_changes,
    threshold_file,
    verify_change,
)
from logchain.cli.wiring import store_sealer
from logchain.errors import ConfigError, SealInvalid, ThresholdsRejected, TimestampInvalid
from logchain.fileops import write_once
from logchain.store import Store
from queries.connection import run_query
from queries.export import column_values
from queries.thresholds import Thresholds, load_thresholds, thresholds_payload
from queries.window import TimeWindow

CHAIN_SERIAL_SQL = """
SELECT max(TRY_CAST(json_extract_string(attrs, '$.serial') AS BIGINT)) AS serial
FROM events
WHERE source = 'logchain' AND event_type = 'thresholds_applied'
"""


@click.group("thresholds")
def thresholds_cmd() -> None:
    """G6 anomaly detection thresholds: show the active set, sign a change, apply it."""


@thresholds_cmd.command("show")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show_cmd(store_path: Path, as_json: bool) -> None:
    """Print the thresholds in force (every applied change is verified first)."""
    store = open_store(store_path)
    active = active_thresholds(store, admin_verifier(store.trust_dir))
    if active is None:
        click.echo("no G6 thresholds applied (the g6-* detections find nothing)", err=True)
        if as_json:
            print_json(None)
        return
    if as_json:
        print_json({"file": active.ref.name, **active.thresholds.to_json()})
        return
    _print(active.thresholds, active.ref.name)


def _print(t: Thresholds, name: str) -> None:
    click.echo(f"serial {t.serial} ({name}): {t.description}")
    for r in t.request_limits:
        click.echo(
            f"  request limit: user {r.user}, type {r.request_type}: at most {r.max_count} "
            f"per {r.window_s} s"
        )
    for c in t.critical_commands:
        click.echo(
            f"  critical command {c.name!r} ({c.match!r}): at most {c.max_total} per {c.window_s} s"
        )
    for d in t.data_values:
        click.echo(f"  data value {d.field} of {d.request_type}: min {d.min}, max {d.max}")


@thresholds_cmd.command("sign")
@store_option
@click.argument(
    "toml_path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--key",
    "key_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Threshold-admin private key (default: the store's own key).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the signed change (a Sigstore bundle).",
)
def sign_cmd(store_path: Path, toml_path: Path, key_path: Path | None, output: Path) -> None:
    """Validate FILE and sign it as a change for this store (then run `thresholds apply`)."""
    store = open_store(store_path)
    thresholds = load_thresholds(toml_path)
    payload = thresholds_payload(
        thresholds,
        log_id=store.manifest().log_id,
        source_sha256=hashlib.sha256(toml_path.read_bytes()).hexdigest(),
    )
    bundle = store_sealer(store, key_path=key_path).seal(payload)
    write_once(output, bundle, mode=0o444)
    click.echo(f"signed thresholds serial {thresholds.serial} -> {output}", err=True)


@thresholds_cmd.command("apply")
@store_option
@click.argument(
    "bundle_path", metavar="BUNDLE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def apply_cmd(store_path: Path, bundle_path: Path) -> None:
    """Apply a signed change; unsigned, foreign, replayed or stale ones are refused and recorded."""
    store = open_store(store_path)
    data = bundle_path.read_bytes()
    attrs: dict[str, object] = {
        "file": str(bundle_path),
        "bundle_sha256": hashlib.sha256(data).hexdigest(),
    }
    verifier = admin_verifier(store.trust_dir)
    try:
        change = verify_change(data, verifier)
    except (SealInvalid, TimestampInvalid, ConfigError) as exc:
        _reject(store, bundle_path, f"not a valid signed change: {exc.message}", attrs)
    serial = change.thresholds.serial
    attrs["serial"] = serial
    if change.log_id != store.manifest().log_id:
        _reject(store, bundle_path, f"it was signed for store {change.log_id}", attrs)
    highest = highest_serial(store)
    if serial <= highest:
        _reject(
            store,
            bundle_path,
            f"serial {serial} is not higher than serial {highest} applied before "
            "(a replayed or stale change)",
            attrs,
        )
    target = threshold_file(store, serial)
    target.parent.mkdir(exist_ok=True)
    write_once(target, data, mode=0o444)
    record_access(
        store,
        "thresholds_applied",
        "G6 thresholds change applied",
        {**attrs, "description": change.thresholds.description},
    )
    click.echo(f"applied G6 thresholds serial {serial}")


def highest_serial(store: Store) -> int:
    """Highest serial applied: from the thresholds files and from the chain's own records."""
    files = [
        c.thresholds.serial for _, c in applied_changes(store, admin_verifier(store.trust_dir))
    ]
    session = open_session(store, TimeWindow(), with_findings=False)
    with session_connection(session) as con:
        values = column_values(run_query(con, CHAIN_SERIAL_SQL), "serial")
    chain = [int(v) for v in values if isinstance(v, int)]
    return max([0, *files, *chain])


def _reject(store: Store, path: Path, reason: str, attrs: dict[str, object]) -> NoReturn:
    record_access(
        store, "thresholds_rejected", "G6 thresholds change rejected", {**attrs, "reason": reason}
    )
    raise ThresholdsRejected(path, reason)
