"""PaperVenue: the simulated exchange "paper" - markets, accounts and the matching engine.

The venue never persists itself: :meth:`PaperVenue.snapshot` returns a JSON-serialisable
dict (Decimals as strings) and :meth:`PaperVenue.restore` continues from it, same accounts
and same deterministic market. The runtime stores that dict.

Snapshot format (``"format": "hedgetui.paper/1"``), top-level keys:
``format, exchange, seed, saved_at, counters {order, trade}, markets {symbol: {origin_ms,
origin_price, step, path_price[, m1 {start, rows}, h1 {start, rows}]}}, accounts {name:
{leverage, wallet, open_orders, closed_orders, fills, positions}}``. Candle rows are only
those since each market's origin (history before it is regenerated from the seed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from hedgetui.domain import Balance, Candle, Market, OrderBook, Position, Ticker, timeframe_ms
from hedgetui.domain.clock import Clock
from hedgetui.exchanges.paper.accounts import Account
from hedgetui.exchanges.paper.candles import BASE_OF, MINUTE_MS, fetch
from hedgetui.exchanges.paper.catalog import DEFAULT_SPECS, EXCHANGE_ID, MarketSpec
from hedgetui.exchanges.paper.engine import MatchingEngine
from hedgetui.exchanges.paper.market import SymbolMarket

SNAPSHOT_FORMAT = "hedgetui.paper/1"
DEFAULT_LEVERAGE = Decimal(10)


class PaperVenue(MatchingEngine):
    """One simulated exchange shared by any number of paper accounts."""

    id = EXCHANGE_ID

    def __init__(
        self, clock: Clock, seed: int = 0, specs: Iterable[MarketSpec] = DEFAULT_SPECS
    ) -> None:
        super().__init__(clock)
        self.seed = int(seed)
        self.specs: dict[str, MarketSpec] = {s.symbol: s for s in specs}
        now = clock.now_ms()
        for spec in self.specs.values():
            self.markets[spec.symbol] = SymbolMarket(spec, self.seed, now)

    # ---- accounts -----------------------------------------------------------------------

    def add_account(
        self,
        name: str,
        balances: Mapping[str, Decimal | str | int],
        leverage: Decimal | int | str = DEFAULT_LEVERAGE,
    ) -> None:
        if not name or not name.strip():
            raise ValueError("a paper account needs a name")
        if name in self.accounts:
            raise ValueError(f"paper account {name!r} already exists")
        wallet: dict[str, Decimal] = {}
        for asset, amount in balances.items():
            value = Decimal(amount)
            if not value.is_finite() or value < 0:
                raise ValueError(f"starting balance of {asset} must be >= 0, got {amount}")
            wallet[asset.upper()] = value
        self.accounts[name] = Account(name=name, leverage=DEFAULT_LEVERAGE, wallet=wallet)
        self.set_leverage(name, Decimal(leverage))

    def account_names(self) -> list[str]:
        return list(self.accounts)

    def balances(self, account: str) -> list[Balance]:
        now = self.sync()
        return self.account(account).balances(self._defs(), self._marks(), now)

    def positions(self, account: str, symbols: list[str] | None = None) -> list[Position]:
        now = self.sync()
        for s in symbols or ():
            self.market(s)
        views = self.account(account).position_views(self._defs(), self._marks(), now)
        return [p for p in views if symbols is None or p.symbol in symbols]

    # ---- market data --------------------------------------------------------------------

    def load_markets(self) -> dict[str, Market]:
        return {s: m.market for s, m in self.markets.items()}

    def tickers(self, symbols: list[str] | None = None) -> dict[str, Ticker]:
        now = self.sync()
        chosen = list(self.markets) if symbols is None else symbols
        return {s: self.market(s).ticker(self.id, now) for s in chosen}

    def ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: int | None = None,
        limit: int | None = None,
    ) -> list[Candle]:
        timeframe_ms(timeframe)  # clear error for an unknown timeframe
        sm = self.market(symbol)
        self.sync()
        sm.ensure_history()
        series = sm.m1 if BASE_OF[timeframe] == MINUTE_MS else sm.h1
        return fetch(series, timeframe, since, limit)

    def order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        sm = self.market(symbol)
        now = self.sync()
        return sm.book(now, limit)

    # ---- snapshot -----------------------------------------------------------------------

    def snapshot(self, candles: bool = True) -> dict:
        """The venue's state as JSON-ready data. ``candles=False`` leaves out the candle
        rows since each market's origin (up to ~1-2 MB after days of running); a venue
        restored from such a snapshot regenerates its history to end at the saved price."""
        now = self.sync()
        return {
            "format": SNAPSHOT_FORMAT,
            "exchange": self.id,
            "seed": self.seed,
            "saved_at": now,
            "counters": {"order": self.next_order_id, "trade": self.next_trade_id},
            "markets": {s: m.snapshot(candles) for s, m in self.markets.items()},
            "accounts": {n: a.to_json() for n, a in self.accounts.items()},
        }

    @classmethod
    def restore(
        cls, snapshot: Mapping, clock: Clock, specs: Iterable[MarketSpec] = DEFAULT_SPECS
    ) -> PaperVenue:
        """Continue a venue from :meth:`snapshot`. Markets new in ``specs`` start now."""
        if snapshot.get("format") != SNAPSHOT_FORMAT:
            raise ValueError(
                f"not a paper venue snapshot (format {snapshot.get('format')!r}, "
                f"expected {SNAPSHOT_FORMAT!r})"
            )
        venue = cls.__new__(cls)
        MatchingEngine.__init__(venue, clock)
        venue.seed = int(snapshot["seed"])
        venue.specs = {s.symbol: s for s in specs}
        missing = set(snapshot["markets"]) - set(venue.specs)
        if missing:
            raise ValueError(
                f"the snapshot trades {', '.join(sorted(missing))}, which this build does not "
                "define; pass their MarketSpec in specs"
            )
        now = clock.now_ms()
        for symbol, spec in venue.specs.items():
            state = snapshot["markets"].get(symbol)
            venue.markets[symbol] = (
                SymbolMarket.from_snapshot(spec, venue.seed, state)
                if state is not None
                else SymbolMarket(spec, venue.seed, now)
            )
        venue.next_order_id = int(snapshot["counters"]["order"])
        venue.next_trade_id = int(snapshot["counters"]["trade"])
        for name, data in snapshot["accounts"].items():
            acct = Account.from_json(name, data)
            venue.accounts[name] = acct
            for o in acct.open.values():
                venue._resting.setdefault(o.symbol, {})[o.id] = o
        for symbol in venue._resting:
            venue._rewatch(symbol)
        return venue
