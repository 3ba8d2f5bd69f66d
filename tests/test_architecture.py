"""Import contracts: each third-party library has one home, and the core runs headless."""

from __future__ import annotations

import ast
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
