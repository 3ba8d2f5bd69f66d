"""Order templates: named batches of order-language text (table ``order_templates``).

The SQL of the feature lives here (the store's rule); callers use :class:`Templates`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hedgetui.store.db import StoreError
from hedgetui.store.ops import REV, register_kind

__all__ = ["Template", "Templates", "NAME_RE", "check_name"]

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")

SAVE = register_kind(
    "template_save",
    "order_templates",
    f"""
INSERT INTO order_templates (name, text, created_at, updated_at, rev) VALUES (?, ?, ?, ?, {REV})
ON CONFLICT (name) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at,
    rev = excluded.rev
""",
)
DELETE = register_kind(
    "template_delete", "order_templates", "DELETE FROM order_templates WHERE name = ?"
)
_COLS = "name, text, created_at, updated_at"


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    text: str
    created_at: int
    updated_at: int


def check_name(name: str) -> str:
    name = name.strip()
    if not NAME_RE.fullmatch(name):
        raise ValueError(
            f"template name {name!r}: use 1-40 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit (e.g. btc-ladder)"
        )
    return name


class Templates:
    """Save, list, load and delete templates of one store."""

    def __init__(self, store) -> None:
        self.store = store

    async def save(self, name: str, text: str, *, ts: int) -> Template:
        name = check_name(name)
        if not text.strip():
            raise ValueError(f"template {name!r} is empty: write at least one statement")
        await self.store._write_durable(SAVE, [(name, text, ts, ts)], frozenset((name,)))
        saved = await self.get(name)
        return saved if saved is not None else Template(name, text, ts, ts)

    async def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return await self.store._fetch(sql, params)  # takes the reader lock itself

    async def list(self) -> list[Template]:
        rows = await self._rows(f"SELECT {_COLS} FROM order_templates ORDER BY name")
        return [Template(*r) for r in rows]

    async def get(self, name: str) -> Template | None:
        rows = await self._rows(
            f"SELECT {_COLS} FROM order_templates WHERE name = ? COLLATE NOCASE", (name.strip(),)
        )
        return Template(*rows[0]) if rows else None

    async def delete(self, name: str) -> bool:
        found = await self.get(name)
        if found is None:
            return False
        await self.store._write_durable(DELETE, [(found.name,)], frozenset((found.name,)))
        return True

    async def load(self, name: str) -> Template:
        """The template, or StoreError naming the saved ones."""
        found = await self.get(name)
        if found is None:
            names = [t.name for t in await self.list()]
            listed = ", ".join(names) if names else "none saved yet"
            raise StoreError(f"no template named {name!r} (saved: {listed})")
        return found
