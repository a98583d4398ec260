"""The `logchain` command line: the composition root that wires core, sealing, ingest and queries.

Exit codes: 0 ok, 1 integrity failure, 2 usage, 3 operational (I/O, network, TSA).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click
import structlog

from logchain import __version__
from logchain.cli._common import configure_logging, err_console
from logchain.errors import EXIT_OPERATIONAL, EXIT_USAGE, LogchainError

log = structlog.get_logger(__name__)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


def _register() -> None:
    from logchain.cli.bench.command import bench_cmd
    from logchain.cli.demo import demo_cmd
    from logchain.cli.detect import detect_cmd
    from logchain.cli.ingest import ingest_cmd
    from logchain.cli.init import init_cmd
    from logchain.cli.prove import prove_cmd, verify_proof_cmd
    from logchain.cli.replay import replay_cmd
    from logchain.cli.shell import shell_cmd
    from logchain.cli.sql import sql_cmd
    from logchain.cli.thresholds import thresholds_cmd
    from logchain.cli.timestamp import timestamp_cmd
    from logchain.cli.verify import verify_cmd
    from logchain.cli.watch import watch_cmd

    commands = (init_cmd, ingest_cmd, watch_cmd, verify_cmd, prove_cmd, verify_proof_cmd)
    for cmd in (*commands, sql_cmd, timestamp_cmd, demo_cmd, bench_cmd):
        cli.add_command(cmd)
    for cmd in (shell_cmd, detect_cmd, thresholds_cmd, replay_cmd):  # SOC analysis (issue 4)
        cli.add_command(cmd)


_register()


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
