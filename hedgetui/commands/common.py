"""What every command shares: loading the config, opening the store, logging, and turning
expected failures into one clear line (exit code 2) instead of a traceback."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

from hedgetui.config import Config, ConfigError, load_config
from hedgetui.store import Store, StoreError


class CommandError(Exception):
    """An expected failure with a message for the user (exit code 2)."""


@contextlib.contextmanager
def expected_errors() -> Iterator[None]:
    """Turn the failures a user can fix into :class:`CommandError` (one line, exit 2)."""
    from hedgetui.runtime.accounts import UnsupportedExchange

    try:
        yield
    except (ConfigError, StoreError, UnsupportedExchange) as exc:
        raise CommandError(str(exc)) from None


def config_for(args: argparse.Namespace) -> Config:
    overrides = {"store": {"path": args.db}} if getattr(args, "db", None) else None
    return load_config(getattr(args, "config", None), overrides=overrides)


def db_path(args: argparse.Namespace) -> Path:
    """``--db`` if given, else the config's store path (loading the config only then)."""
    if getattr(args, "db", None):
        return Path(args.db).expanduser()
    return config_for(args).resolved_db_path()


async def open_store(path: Path, *, readonly: bool = False) -> Store:
    if readonly and not path.exists():
        raise CommandError(
            f"no database at {path} — run `hedgetui collect --db {path}` first, "
            "or pass the right --db"
        )
    return await Store.open(path, readonly=readonly)


def setup_logging(level: str, *, stream=None, file: Path | None = None) -> None:
    handler: logging.Handler
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(file)
    else:
        handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
