"""The paper venue's instruments: Binance-like filters, fees and starting prices."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hedgetui.domain import Market, MarketType

EXCHANGE_ID = "paper"

SPOT_MAKER = Decimal("0.001")
SPOT_TAKER = Decimal("0.001")
PERP_MAKER = Decimal("0.0002")
PERP_TAKER = Decimal("0.0005")


@dataclass(frozen=True, slots=True)
class MarketSpec:
    """One instrument plus the parameters of its simulated market.

    ``path`` names the random stream driving the price: a perpetual shares its spot
    market's stream (same shocks), so BTC/USDT:USDT tracks BTC/USDT with a small ``basis``.
    """

    market: Market
    start_price: float
    annual_vol: float  # GBM sigma, annualised
    minute_quote_volume: float  # typical traded value per minute, in quote
    top_depth_quote: float  # notional at the best level of the synthetic book
    spread_ticks: int = 1
    level_gap_bps: float = 0.5  # distance between book levels
    path: str = ""  # stream name; defaults to the symbol
    basis: float = 0.0  # perp premium over the path (0.0002 = 2 bp)

    @property
    def symbol(self) -> str:
        return self.market.symbol

    @property
    def path_key(self) -> str:
        return self.path or self.market.symbol


def _spot(
    base: str,
    tick: str,
    step: str,
    price: float,
    vol: float,
    mvol: float,
    depth: float,
    spread: int = 1,
) -> MarketSpec:
    return MarketSpec(
        market=Market(
            symbol=f"{base}/USDT",
            base=base,
            quote="USDT",
            type=MarketType.SPOT,
            amount_step=Decimal(step),
            price_step=Decimal(tick),
            min_amount=Decimal(step),
            max_amount=Decimal("9000000"),
            min_cost=Decimal("5"),
            maker_fee=SPOT_MAKER,
            taker_fee=SPOT_TAKER,
            exchange_id=f"{base}USDT",
        ),
        start_price=price,
        annual_vol=vol,
        minute_quote_volume=mvol,
        top_depth_quote=depth,
        spread_ticks=spread,
    )


DEFAULT_SPECS: tuple[MarketSpec, ...] = (
    _spot("BTC", "0.01", "0.00001", 95_000.0, 0.50, 1_200_000.0, 150_000.0),
    _spot("ETH", "0.01", "0.0001", 3_300.0, 0.65, 700_000.0, 80_000.0),
    _spot("SOL", "0.01", "0.001", 190.0, 0.85, 250_000.0, 40_000.0),
    _spot("BNB", "0.01", "0.001", 680.0, 0.45, 60_000.0, 20_000.0),
    _spot("XRP", "0.0001", "0.1", 2.2, 0.80, 200_000.0, 30_000.0),
    _spot("DOGE", "0.00001", "1", 0.32, 0.95, 90_000.0, 20_000.0),
    MarketSpec(
        market=Market(
            symbol="BTC/USDT:USDT",
            base="BTC",
            quote="USDT",
            type=MarketType.SWAP,
            settle="USDT",
            contract_size=Decimal(1),
            amount_step=Decimal("0.001"),
            price_step=Decimal("0.1"),
            min_amount=Decimal("0.001"),
            max_amount=Decimal("1000"),
            min_cost=Decimal("100"),
            maker_fee=PERP_MAKER,
            taker_fee=PERP_TAKER,
            exchange_id="BTCUSDT",
        ),
        start_price=95_000.0,
        annual_vol=0.50,
        minute_quote_volume=5_000_000.0,
        top_depth_quote=400_000.0,
        path="BTC/USDT",
        basis=0.0002,
    ),
)
