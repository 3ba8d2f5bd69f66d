"""Which exchange ids this build can talk to (ccxt's list plus the paper venue)."""

from __future__ import annotations

from functools import cache

PAPER = "paper"


@cache
def known_exchange_ids() -> tuple[str, ...]:
    import ccxt  # lazy: the id list is only needed to validate a config

    return (PAPER, *ccxt.exchanges)
