"""Import contracts: each third-party library has one home, and the core runs headless."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import hedgetui

PACKAGE = Path(hedgetui.__file__).parent

# library -> the only package directory allowed to import it
HOMES = {
    "textual": "ui",
    "ccxt": "exchanges",
    "aiosqlite": "store",
    "sqlite3": "store",
    "plotext": "charts",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_each_library_is_imported_only_in_its_home():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        home = rel.parts[0] if len(rel.parts) > 1 else ""
        for lib in _imports(path) & HOMES.keys():
            if home != HOMES[lib]:
                offenders.append(f"{rel} imports {lib} (allowed only in hedgetui/{HOMES[lib]})")
    assert offenders == []


def test_core_modules_import_without_textual():
    modules = sorted(
        ".".join(("hedgetui", *p.relative_to(PACKAGE).with_suffix("").parts))
        for p in PACKAGE.rglob("*.py")
        if p.relative_to(PACKAGE).parts[0] != "ui"
    )
    modules = [m.removesuffix(".__init__") for m in modules]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_paper_only_runtime_does_not_import_ccxt_async_client(tmp_path):
    """ccxt's async client costs ~0.5 s to import: every CLI command and the demo would pay it.
    Only a live account or watchlist exchange needs it."""
    code = (
        "import asyncio, sys\n"
        "from hedgetui.cli import main\n"
        "from hedgetui.config import load_config\n"
        "from hedgetui.domain.clock import ManualClock\n"
        "from hedgetui.runtime.accounts import build_exchanges\n"
        "from hedgetui.store import Store\n"
        "async def run():\n"
        f"    store = await Store.open({str(tmp_path / 'x.db')!r})\n"
        "    config = load_config(None, env={})\n"
        "    exchanges = await build_exchanges(config, store, ManualClock(0))\n"
        "    assert exchanges.accounts, 'the demo has paper accounts'\n"
        "    await exchanges.close()\n"
        "    await store.close()\n"
        "asyncio.run(run())\n"
        "assert 'ccxt.async_support' not in sys.modules\n"
    )
    env = {"XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_DATA_HOME": str(tmp_path / "d")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env}
    )
    assert result.returncode == 0, result.stderr
