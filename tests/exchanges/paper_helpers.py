"""Shared builders for the paper exchange tests (not a test module)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hedgetui.domain import Market, MarketType, OrderRequest, OrderType, Side, TimeInForce
from hedgetui.domain.clock import ManualClock
from hedgetui.exchanges.paper import DEFAULT_SPECS, MarketSpec, PaperVenue

D = Decimal
START = 1_767_225_600_000  # 2026-01-01T00:00Z

#: a volatile market with a coarse tick relative to its moves: touches happen often
TST = MarketSpec(
    market=Market(
        symbol="TST/USDT",
        base="TST",
        quote="USDT",
        type=MarketType.SPOT,
        amount_step=D("0.01"),
        price_step=D("0.01"),
        min_amount=D("0.01"),
        min_cost=D("5"),
        maker_fee=D("0.001"),
        taker_fee=D("0.002"),
        exchange_id="TSTUSDT",
    ),
    start_price=100.0,
    annual_vol=1.0,
    minute_quote_volume=10_000.0,
    top_depth_quote=1_000.0,
    spread_ticks=1,
    level_gap_bps=10,
)
SPECS = (*DEFAULT_SPECS, TST)
#: fewer markets where a test needs history for every market (history costs ~40 ms each)
SMALL = (DEFAULT_SPECS[0], DEFAULT_SPECS[-1], TST)
_ids = itertools.count(1)


def venue(seed: int = 1, start: int = START, specs=SPECS) -> tuple[PaperVenue, ManualClock]:
    clock = ManualClock(start)
    return PaperVenue(clock, seed=seed, specs=specs), clock


def req(
    symbol: str,
    side: str,
    type_: str,
    amount: str,
    price: str | None = None,
    stop: str | None = None,
    tif: str = "GTC",
    reduce_only: bool = False,
    cid: str | None = None,
) -> OrderRequest:
    return OrderRequest(
        symbol=symbol,
        side=Side(side),
        type=OrderType(type_),
        amount=D(amount),
        client_id=cid or f"t-{next(_ids)}",
        price=None if price is None else D(price),
        stop_price=None if stop is None else D(stop),
        time_in_force=TimeInForce(tif),
        reduce_only=reduce_only,
    )


def balance(v: PaperVenue, account: str, asset: str):
    return next(b for b in v.balances(account) if b.asset == asset)


def path(seed: int, symbol: str, seconds: int, start: int = START) -> list[int]:
    """Trade prices (ticks) of ``symbol`` for the next seconds, from a probe venue."""
    probe, clock = venue(seed, start)
    sm = probe.market(symbol)
    out = []
    for _ in range(seconds):
        clock.advance(1000)
        probe.sync()
        out.append(sm.last_ticks)
    return out
