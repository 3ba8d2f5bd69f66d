"""Entry point: ``hedgetui`` opens the TUI; subcommands run headless.

Handlers live in :mod:`hedgetui.commands`; this module only parses arguments and turns
expected failures (bad config, bad input, unusable database) into one clear line and exit
code 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from hedgetui import __version__

EPILOG = """\
config:  --config PATH, else $HEDGETUI_CONFIG, else the platform config dir
         (e.g. ~/.config/hedgetui/config.toml). With no config file at all hedgetui runs an
         offline demo on the built-in paper exchange. Every key can be overridden by an
         environment variable: HEDGETUI_<SECTION>__<KEY>, e.g. HEDGETUI_POLLERS__TICKERS=0.5.
         See config.example.toml.

examples:
  hedgetui                                  open the workstation (demo without a config)
  hedgetui --attach --db /srv/hedgetui.db   a read-only view of a database `collect` fills
  hedgetui collect --seconds 10 --db /tmp/x.db
  hedgetui status --db /tmp/x.db
"""


# Each module in hedgetui.commands named here adds its subcommand with
# ``register(subparsers, common)`` and sets ``handler`` (args -> exit code) on its parser.
COMMANDS = ("collect", "status", "candles", "accounts", "orders", "alerts")


def _common(p: argparse.ArgumentParser, *, config: bool = True) -> None:
    if config:
        p.add_argument("--config", metavar="PATH", help="config file (TOML)")
    p.add_argument("--db", metavar="PATH", help="SQLite database (overrides [store] path)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hedgetui",
        description="Terminal trading workstation: many exchange accounts in one live table.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hedgetui {__version__}")
    _common(parser)
    parser.add_argument(
        "--attach",
        action="store_true",
        help="only read the database (another process, e.g. `hedgetui collect`, writes it)",
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=["debug", "info", "warning", "error"],
        help="log verbosity",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"hedgetui.commands.{name}").register(sub, _common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # lazy: --help stays instant
    from hedgetui.commands import run_command
    from hedgetui.commands.common import CommandError

    try:
        return run_command(args)
    except KeyboardInterrupt:
        return 130
    except CommandError as exc:
        print(f"hedgetui: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
