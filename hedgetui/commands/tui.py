"""``hedgetui`` without a subcommand: the workstation."""

from __future__ import annotations

import argparse

from hedgetui.commands.common import CommandError, config_for, db_path, setup_logging


def tui(args: argparse.Namespace) -> int:
    from hedgetui.config import default_data_dir

    config = config_for(args)
    path = db_path(args)
    if args.attach and not path.exists():
        raise CommandError(
            f"--attach: no database at {path} — start `hedgetui collect --db "
            f"{path}` first, or pass the right --db"
        )
    # the screen belongs to the TUI: logs go to a file beside the database
    setup_logging(args.log_level, file=default_data_dir() / "hedgetui.log")
    from hedgetui.ui.app import HedgeApp

    HedgeApp(config, db_path=path, attach=args.attach).run()
    return 0
