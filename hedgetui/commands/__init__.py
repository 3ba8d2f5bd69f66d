"""Headless subcommands. Each module registers its parser (see ``hedgetui.cli.COMMANDS``)
and sets ``handler`` on it: a function of the parsed arguments returning an exit code."""

from __future__ import annotations

import argparse

from hedgetui.commands.common import expected_errors


def run_command(args: argparse.Namespace) -> int:
    with expected_errors():
        handler = getattr(args, "handler", None)
        if handler is not None:
            return handler(args)
        from hedgetui.commands.tui import tui

        return tui(args)
