"""The demo: a paper venue with three accounts, a perp position and resting orders.

Everything is placed through the normal order path, so the demo's orders and position are
real (they fill, cancel and show up in balances exactly like the user's own).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from hedgetui.domain import AccountInfo, OrderRequest, OrderType, Side, TimeInForce
from hedgetui.domain.clock import Clock
from hedgetui.exchanges.paper.catalog import EXCHANGE_ID
from hedgetui.exchanges.paper.venue import PaperVenue

DEMO_SEED = 20260101
PERP = "BTC/USDT:USDT"
DEMO_SYMBOLS: tuple[str, ...] = (
    "BTC/USDT",
    "ETH/USDT",
    "SOL/USDT",
    "BNB/USDT",
    "XRP/USDT",
    "DOGE/USDT",
    PERP,
)


@dataclass(frozen=True)
class DemoAccount:
    name: str
    tags: tuple[str, ...]
    balances: dict[str, Decimal] = field(default_factory=dict)
    leverage: Decimal = Decimal(10)

    @property
    def info(self) -> AccountInfo:
        return AccountInfo(name=self.name, exchange=EXCHANGE_ID, is_paper=True, tags=self.tags)


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "main",
        ("spot", "core"),
        {"USDT": Decimal(100_000), "BTC": Decimal("1.5"), "ETH": Decimal(20)},
    ),
    DemoAccount(
        "alt",
        ("spot",),
        {"USDT": Decimal(25_000), "SOL": Decimal(300), "XRP": Decimal(5_000)},
    ),
    DemoAccount("perps", ("perps",), {"USDT": Decimal(50_000)}, Decimal(10)),
)


def build_demo_venue(clock: Clock, seed: int = DEMO_SEED) -> PaperVenue:
    venue = PaperVenue(clock, seed=seed)
    for acct in DEMO_ACCOUNTS:
        venue.add_account(acct.name, acct.balances, leverage=acct.leverage)

    def place(
        account: str,
        n: int,
        symbol: str,
        side: Side,
        type_: OrderType,
        amount: str,
        price_factor: float | None = None,
        stop_factor: float | None = None,
        reduce_only: bool = False,
    ) -> None:
        sm = venue.market(symbol)
        m = sm.market
        last = sm.last_decimal

        def at(factor: float | None) -> Decimal | None:
            return None if factor is None else m.round_price(last * Decimal(repr(factor)))

        venue.place_order(
            account,
            OrderRequest(
                symbol=symbol,
                side=side,
                type=type_,
                amount=m.round_amount(Decimal(amount)),
                client_id=f"demo-{account}-{n}",
                price=at(price_factor),
                stop_price=at(stop_factor),
                time_in_force=TimeInForce.GTC,
                reduce_only=reduce_only,
            ),
        )

    # perps: a long with a take-profit, a protective stop and a bid to add lower
    place("perps", 1, PERP, Side.BUY, OrderType.MARKET, "0.5")
    place("perps", 2, PERP, Side.SELL, OrderType.LIMIT, "0.25", price_factor=1.04, reduce_only=True)
    place(
        "perps",
        3,
        PERP,
        Side.SELL,
        OrderType.STOP_MARKET,
        "0.5",
        stop_factor=0.95,
        reduce_only=True,
    )
    place("perps", 4, PERP, Side.BUY, OrderType.LIMIT, "0.2", price_factor=0.97)
    # main: a dip bid on BTC and an ETH offer; alt: a SOL offer
    place("main", 1, "BTC/USDT", Side.BUY, OrderType.LIMIT, "0.1", price_factor=0.95)
    place("main", 2, "ETH/USDT", Side.SELL, OrderType.LIMIT, "5", price_factor=1.06)
    place("alt", 1, "SOL/USDT", Side.SELL, OrderType.LIMIT, "50", price_factor=1.08)
    return venue
