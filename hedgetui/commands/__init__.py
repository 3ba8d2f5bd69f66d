"""Headless subcommands. Each handler takes the parsed arguments and returns an exit code."""

from __future__ import annotations

import argparse

from hedgetui.commands.common import expected_errors


def run_command(args: argparse.Namespace) -> int:
    with expected_errors():
        if args.command == "collect":
            from hedgetui.commands.collect import collect

            return collect(args)
        if args.command == "status":
            from hedgetui.commands.status import status

            return status(args)
        from hedgetui.commands.tui import tui

        return tui(args)
