"""The `logchain` command line: the composition root that wires core, sealing, ingest and queries.

Exit codes: 0 ok, 1 integrity failure, 2 usage, 3 operational (I/O, network, TSA).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click
import structlog

from logchain import __version__
from logchain.cli._common import configure_logging, err_console
from logchain.errors import EXIT_OPERATIONAL, EXIT_USAGE, LogchainError

log = structlog.get_logger(__name__)


#: Subcommand -> "module:attribute", imported only when that command runs (or for --help),
#: so `logchain verify` does not pay for DuckDB, matplotlib or the parsers.
COMMANDS: dict[str, str] = {
    "init": "logchain.cli.init:init_cmd",
    "ingest": "logchain.cli.ingest:ingest_cmd",
    "watch": "logchain.cli.watch:watch_cmd",
    "verify": "logchain.cli.verify:verify_cmd",
    "prove": "logchain.cli.prove:prove_cmd",
    "verify-proof": "logchain.cli.prove:verify_proof_cmd",
    "sql": "logchain.cli.sql:sql_cmd",
    "shell": "logchain.cli.shell:shell_cmd",
    "detect": "logchain.cli.detect:detect_cmd",
    "thresholds": "logchain.cli.thresholds:thresholds_cmd",
    "replay": "logchain.cli.replay:replay_cmd",
    "timestamp": "logchain.cli.timestamp:timestamp_cmd",
    "demo": "logchain.cli.demo:demo_cmd",
    "bench": "logchain.cli.bench.command:bench_cmd",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        command = getattr(importlib.import_module(module), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="logchain")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short diagnostics.")
@click.option(
    "--log-level",
    default="warning",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
    help="Operational log level (logs go to stderr).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, log_level: str) -> None:
    """Forensic-grade audit logs: hash-chained, timestamp-signed Parquet segments."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    configure_logging(log_level)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 integrity, 2 usage, 3 operational)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        # Without standalone mode click returns ctx.exit(code)'s code instead of raising Exit.
        rv = cli.main(args=args, prog_name="logchain", standalone_mode=False)
    except LogchainError as exc:
        if debug:
            raise
        err_console.print(f"[bold red]error:[/] {type(exc).__name__}: ", end="", markup=True)
        err_console.print(exc.diagnostics(), markup=False, highlight=False, soft_wrap=True)
        return exc.exit_code
    except click.exceptions.Abort:
        err_console.print("aborted")
        return EXIT_OPERATIONAL
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if exc.exit_code == 2 else exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except Exception as exc:
        if debug:
            raise
        err_console.print(
            f"internal error: {type(exc).__name__}: {exc}\nNext step: this is a bug in logchain; "
            "run the command again with --debug and report the traceback.",
            markup=False,
        )
        return EXIT_OPERATIONAL
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
