"""Valuing balances in a quote currency from the latest tickers (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from hedgetui.domain.models import Balance, Ticker

#: currencies counted at par with the valuation currency (USD-pegged stablecoins)
STABLE = frozenset({"USDT", "USDC", "USD", "BUSD", "FDUSD", "TUSD", "DAI"})
VALUATION_QUOTES = ("USDT", "USDC", "USD", "FDUSD", "BUSD")


def price_map(tickers: list[Ticker]) -> dict[tuple[str, str], float]:
    return {(t.exchange, t.symbol): t.last for t in tickers}


def asset_price(asset: str, exchange: str, prices: Mapping[tuple[str, str], float]) -> float | None:
    """Price of one unit of ``asset`` in USD terms, from the asset's stablecoin spot pair on
    the same exchange (any exchange as a fallback); None when nothing prices it."""
    if asset in STABLE:
        return 1.0
    for quote in VALUATION_QUOTES:
        price = prices.get((exchange, f"{asset}/{quote}"))
        if price is not None:
            return price
    for quote in VALUATION_QUOTES:
        for (_, symbol), price in prices.items():
            if symbol == f"{asset}/{quote}":
                return price
    return None


def balance_value(
    balance: Balance, exchange: str, prices: Mapping[tuple[str, str], float]
) -> Decimal | None:
    price = asset_price(balance.asset, exchange, prices)
    if price is None:
        return None
    return balance.total * Decimal(repr(price))
