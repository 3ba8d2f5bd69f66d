"""Autocompletion of the order line: the word under the cursor (at the end of the line)
completes to a keyword, a symbol, an account name or an @tag."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from textual.suggester import Suggester

KEYWORDS = (
    "buy",
    "sell",
    "cancel",
    "close",
    "on",
    "all",
    "mkt",
    "market",
    "stop",
    "post",
    "ioc",
    "fok",
    "reduce",
    "dist=flat",
    "dist=linear",
    "dist=exp",
)
_WORD = re.compile(r"[^\s,;]*$")


def complete(value: str, candidates: Iterable[str]) -> str | None:
    """``value`` with its last word completed from ``candidates`` (case-insensitive;
    names before keywords, then the shortest), or None. Numbers and ``@`` prices are never
    completed."""
    word = _WORD.search(value).group(0)
    if not word or word[0].isdigit() or word == "@":
        return None
    low = word.lower()
    matches = sorted(
        (c for c in candidates if c.lower().startswith(low) and len(c) > len(word)),
        key=lambda c: (c in KEYWORDS, len(c), c),
    )
    if not matches:
        return None
    return value + matches[0][len(word) :]


class OrderSuggester(Suggester):
    """Suggests from ``words()``, asked fresh each time (symbols and accounts change)."""

    def __init__(self, words: Callable[[], Iterable[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.words = words

    async def get_suggestion(self, value: str) -> str | None:
        return complete(value, self.words())
