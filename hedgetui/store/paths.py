"""Where the database lives by default."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

DB_NAME = "hedgetui.db"


def default_db_path() -> Path:
    """``<platform user data dir>/hedgetui/hedgetui.db``; the directory is created."""
    directory = Path(user_data_dir("hedgetui", appauthor=False))
    directory.mkdir(parents=True, exist_ok=True)
    return directory / DB_NAME
