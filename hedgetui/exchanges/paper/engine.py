"""Matching engine of the paper venue: orders, fills, balances and positions.

Fill model (and why): peers' paper modes fill optimistically - freqtrade fills a resting
limit in full once the price touches it, hummingbot fills crossed limits at once - so
paper results beat live ones. Here:

* Market orders walk the synthetic book level by level (one fill per level): big orders
  pay slippage. Marketable limits do the same up to their limit price, as taker.
* A resting limit fills as maker only when a trade prints strictly *through* its price (a
  buy at P needs a trade below P): touching P is not enough, because on a real exchange
  the queue ahead of you at P may absorb the touch. A trade-through clears the whole queue,
  so the remaining amount fills in full at P.
* Stops trigger when the last trade crosses the stop (buy: at or above, sell: at or below)
  and then run as a market or limit order against the book of that second.
* Funds are reserved at placement and released on fill/cancel (see ``accounts``).

All methods take the account name, so the engine can back other front-ends (the Exchange
wrapper, a Binance-compatible test server) without them sharing state.
"""

from __future__ import annotations

from decimal import Decimal

from hedgetui.domain import (
    ZERO,
    Fill,
    Market,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from hedgetui.domain.clock import Clock
from hedgetui.exchanges.errors import (
    BadSymbol,
    InsufficientFunds,
    InvalidOrder,
    OrderImmediatelyFillable,
    OrderNotFound,
)
from hedgetui.exchanges.paper import rules
from hedgetui.exchanges.paper.accounts import Account, OrderState, PositionState, money
from hedgetui.exchanges.paper.margin import apply_position, closable, fillable, reservation
from hedgetui.exchanges.paper.market import NO_WATCH_HIGH, NO_WATCH_LOW, SymbolMarket


class MatchingEngine:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.markets: dict[str, SymbolMarket] = {}
        self.accounts: dict[str, Account] = {}
        self.next_order_id = 1
        self.next_trade_id = 1
        self._resting: dict[str, dict[str, OrderState]] = {}  # symbol -> open orders

    # ---- time ---------------------------------------------------------------------------

    def sync(self) -> int:
        """Bring every market up to the clock and return now (ms). Cheap when called often.

        With stops resting, symbols advance second by second in lockstep: a triggered stop
        draws on the shared wallet, so the order of events across symbols must not depend
        on how often anybody polled."""
        now = self.clock.now_ms()
        target = now // 1000
        markets = list(self.markets.values())
        for sm in markets:
            sm.coarse_to(target, self.on_bar)
        if any(
            sm.buy_stop_min != NO_WATCH_HIGH or sm.sell_stop_max != NO_WATCH_LOW for sm in markets
        ):
            for k in range(min(sm.step for sm in markets) + 1, target + 1):
                for sm in markets:
                    sm.fine_to(k, self.on_bar)
        else:
            for sm in markets:
                sm.fine_to(target, self.on_bar)
        return now

    # ---- lookups ------------------------------------------------------------------------

    def market(self, symbol: str) -> SymbolMarket:
        try:
            return self.markets[symbol]
        except KeyError:
            raise BadSymbol(
                f"paper does not have market symbol {symbol}; available: {', '.join(self.markets)}"
            ) from None

    def account(self, name: str) -> Account:
        try:
            return self.accounts[name]
        except KeyError:
            raise ValueError(
                f"unknown paper account {name!r}; known: {', '.join(self.accounts) or 'none'}"
            ) from None

    def _defs(self) -> dict[str, Market]:
        return {s: m.market for s, m in self.markets.items()}

    def _marks(self) -> dict[str, Decimal]:
        return {s: m.last_decimal for s, m in self.markets.items()}

    def free(self, account: str, asset: str) -> Decimal:
        return self.account(account).free(asset, self._defs(), self._marks())

    # ---- placing ------------------------------------------------------------------------

    def place_order(self, account: str, request: OrderRequest) -> Order:
        ts = self.sync()
        acct = self.account(account)
        sm = self.market(request.symbol)
        m = sm.market
        rules.validate(request, m, sm.last_decimal)
        if request.client_id in acct.by_client:
            raise InvalidOrder(rules.DUPLICATE)
        if request.reduce_only and closable(acct, request.symbol, request.side) <= 0:
            raise InvalidOrder(rules.REDUCE_ONLY_REJECTED + " (it would not reduce a position)")
        bid, ask = sm.top()
        if request.type.is_stop:
            stop = sm.decimal_to_ticks(request.stop_price)
            if (stop <= sm.last_ticks) if request.side is Side.BUY else (stop >= sm.last_ticks):
                raise InvalidOrder(
                    f"{rules.WOULD_TRIGGER} (last price {sm.last_decimal}; a {request.side.value} "
                    f"stop must be {'above' if request.side is Side.BUY else 'below'} it)"
                )
        if request.post_only:
            price = sm.decimal_to_ticks(request.price)
            if (price >= ask) if request.side is Side.BUY else (price <= bid):
                raise OrderImmediatelyFillable(rules.WOULD_TAKE)
        o = OrderState(
            id=str(self.next_order_id),
            client_id=request.client_id,
            account=account,
            symbol=request.symbol,
            side=request.side,
            type=request.type,
            amount=request.amount,
            price=request.price,
            stop_price=request.stop_price,
            time_in_force=request.time_in_force,
            reduce_only=request.reduce_only,
            created_at=ts,
            updated_at=ts,
        )
        if o.type is OrderType.MARKET:
            walk = sm.walk(o.buy, fillable(acct, o), None)
            if not self._affordable(acct, o, sm, walk):
                raise InsufficientFunds(rules.INSUFFICIENT)
        else:
            asset, need = reservation(acct, o, m)
            if need > acct.free(asset, self._defs(), self._marks()):
                raise InsufficientFunds(rules.INSUFFICIENT)
        self.next_order_id += 1
        acct.by_client[o.client_id] = o.id
        acct.open[o.id] = o
        if o.type is OrderType.MARKET:
            self._take(acct, o, sm, walk, ts)
            self._finish(acct, o, OrderStatus.EXPIRED)
        elif o.type is OrderType.LIMIT:
            self._run_limit(acct, o, sm, ts)
        else:
            self._rest(acct, o, m)
        return o.to_order()

    def _run_limit(self, acct: Account, o: OrderState, sm: SymbolMarket, ts: int) -> None:
        """Take what crosses (as taker), then rest, expire (IOC) or kill (FOK)."""
        limit = sm.decimal_to_ticks(o.price)
        walk = sm.walk(o.buy, fillable(acct, o), limit)
        if o.time_in_force is TimeInForce.FOK and sum((q for _, q in walk), ZERO) < o.remaining:
            o.message = "FOK order could not be filled in full at its limit price"
            self._finish(acct, o, OrderStatus.EXPIRED)
            return
        if walk:
            self._take(acct, o, sm, walk, ts)
        if o.remaining <= 0:
            self._finish(acct, o, OrderStatus.FILLED)
        elif o.time_in_force in (TimeInForce.IOC, TimeInForce.FOK):
            self._finish(acct, o, OrderStatus.EXPIRED)
        else:
            self._rest(acct, o, sm.market)

    def _rest(self, acct: Account, o: OrderState, m: Market) -> None:
        o.reserve_asset, o.reserved = reservation(acct, o, m)
        self._resting.setdefault(o.symbol, {})[o.id] = o
        self._rewatch(o.symbol)

    def _finish(self, acct: Account, o: OrderState, unfilled: OrderStatus) -> None:
        """Close ``o``: FILLED if nothing remains, else ``unfilled``."""
        o.status = OrderStatus.FILLED if o.remaining <= 0 else unfilled
        acct.close(o)
        if self._resting.get(o.symbol, {}).pop(o.id, None) is not None:
            self._rewatch(o.symbol)

    # ---- cancel / query -----------------------------------------------------------------

    def cancel_order(
        self,
        account: str,
        order_id: str | None = None,
        client_id: str | None = None,
        symbol: str | None = None,
    ) -> Order:
        ts = self.sync()
        acct, o = self._lookup(account, order_id, client_id, symbol)
        if o.status is not OrderStatus.OPEN:
            raise OrderNotFound(rules.UNKNOWN_ORDER)
        o.updated_at = ts
        self._finish(acct, o, OrderStatus.CANCELED)
        return o.to_order()

    def cancel_all(self, account: str, symbol: str | None = None) -> list[Order]:
        acct = self.account(account)
        if symbol is not None:
            self.market(symbol)
        ids = sorted((o.id for o in acct.open.values() if symbol in (None, o.symbol)), key=int)
        return [self.cancel_order(account, i) for i in ids]

    def get_order(
        self,
        account: str,
        order_id: str | None = None,
        client_id: str | None = None,
        symbol: str | None = None,
    ) -> Order:
        if order_id is None and client_id is None:
            raise InvalidOrder("give an order id or a client id to look an order up")
        self.sync()
        return self._lookup(account, order_id, client_id, symbol)[1].to_order()

    def _lookup(
        self, account: str, order_id: str | None, client_id: str | None, symbol: str | None
    ) -> tuple[Account, OrderState]:
        """The account and its order by id or client id (on ``symbol`` if given), else
        OrderNotFound with the exchange's text."""
        acct = self.account(account)
        o = acct.find(order_id, client_id)
        if o is None or (symbol and o.symbol != symbol):
            raise OrderNotFound(rules.UNKNOWN_ORDER)
        return acct, o

    def open_orders(self, account: str, symbol: str | None = None) -> list[Order]:
        self.sync()
        acct = self.account(account)
        if symbol is not None:
            self.market(symbol)
        orders = (o for o in acct.open.values() if symbol in (None, o.symbol))
        return [o.to_order() for o in sorted(orders, key=lambda o: int(o.id))]

    def my_trades(
        self,
        account: str,
        symbol: str | None = None,
        since: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        self.sync()
        fills = [
            f
            for f in self.account(account).fills
            if symbol in (None, f.symbol) and (since is None or f.timestamp >= since)
        ]
        if limit is not None:
            fills = fills[:limit] if since is not None else fills[-limit:] if limit else []
        return fills

    def set_leverage(self, account: str, leverage: Decimal) -> None:
        leverage = Decimal(leverage)
        if not 1 <= leverage <= 125:
            raise InvalidOrder(f"leverage must be between 1 and 125, got {leverage}")
        acct = self.account(account)
        acct.leverage = leverage
        for o in acct.open.values():
            o.reserve_asset, o.reserved = reservation(acct, o, self.markets[o.symbol].market)

    # ---- money --------------------------------------------------------------------------

    def _affordable(
        self, acct: Account, o: OrderState, sm: SymbolMarket, walk: list[tuple[int, Decimal]]
    ) -> bool:
        """Can the account pay for taking ``walk`` now (own reservation counts as free)?"""
        m = sm.market
        qty = sum((q for _, q in walk), ZERO)
        cost = sum((sm.ticks_to_decimal(p) * q for p, q in walk), ZERO) * m.contract_size
        fee = cost * m.taker_fee
        if not m.is_perp:
            asset = m.quote if o.buy else m.base
            need = cost + fee if o.buy else qty
        else:
            asset = m.settle or m.quote
            grows = max(ZERO, qty - closable(acct, o.symbol, o.side))
            need = (cost / qty * grows / acct.leverage if qty else ZERO) + fee
        free = acct.free(asset, self._defs(), self._marks())
        return need <= free + (o.reserved if o.reserve_asset == asset else ZERO)

    # ---- fills --------------------------------------------------------------------------

    def _take(self, acct: Account, o: OrderState, sm: SymbolMarket, walk, ts: int) -> None:
        for price, qty in walk:
            self._fill(acct, o, sm, price, qty, True, ts)

    def _fill(
        self,
        acct: Account,
        o: OrderState,
        sm: SymbolMarket,
        ticks: int,
        qty: Decimal,
        taker: bool,
        ts: int,
    ) -> Fill:
        m = sm.market
        price = sm.ticks_to_decimal(ticks)
        cost = price * qty * m.contract_size
        fee = money(cost * (m.taker_fee if taker else m.maker_fee))
        quote = m.settle or m.quote
        w = acct.wallet
        realized = ZERO
        if m.is_perp:
            pos = acct.positions.setdefault(o.symbol, PositionState())
            realized = apply_position(pos, o.side, qty, price, m.contract_size, ts)
            w[quote] = w.get(quote, ZERO) + realized - fee
        elif o.buy:
            w[quote] = w.get(quote, ZERO) - cost - fee
            w[m.base] = w.get(m.base, ZERO) + qty
        else:
            w[m.base] = w.get(m.base, ZERO) - qty
            w[quote] = w.get(quote, ZERO) + cost - fee
        o.filled += qty
        o.cost += price * qty
        o.fee += fee
        o.fee_currency = quote
        o.updated_at = ts
        fill = Fill(
            account=acct.name,
            id=str(self.next_trade_id),
            order_id=o.id,
            symbol=o.symbol,
            side=o.side,
            price=price,
            amount=qty,
            fee=fee,
            fee_currency=quote,
            timestamp=ts,
            taker=taker,
            client_id=o.client_id,
            realized_pnl=realized,
        )
        self.next_trade_id += 1
        acct.fills.append(fill)
        if o.status is OrderStatus.OPEN and o.id in self._resting.get(o.symbol, {}):
            o.reserve_asset, o.reserved = reservation(acct, o, m)
        if m.is_perp:  # the position moved: what other orders would close changed
            for other in acct.open.values():
                if other.symbol == o.symbol and other is not o and other.reserve_asset:
                    other.reserve_asset, other.reserved = reservation(acct, other, m)
        return fill

    # ---- the market moved ---------------------------------------------------------------

    def on_bar(self, sm: SymbolMarket, ts: int, high: int, low: int) -> None:
        """A trade (or coarse bar) printed between ``low`` and ``high``: trigger stops, then
        fill resting limits it traded through. Time priority by order id."""
        resting = self._resting.get(sm.symbol)
        if not resting:
            return
        for o in sorted(resting.values(), key=lambda o: int(o.id)):
            if o.type.is_stop and not o.triggered:
                stop = sm.decimal_to_ticks(o.stop_price)
                if (high >= stop) if o.buy else (low <= stop):
                    self._trigger(o, sm, ts)
        for o in sorted(resting.values(), key=lambda o: int(o.id)):
            if o.type.is_stop and not o.triggered:
                continue
            price = sm.decimal_to_ticks(o.price)
            if (low < price) if o.buy else (high > price):
                acct = self.accounts[o.account]
                qty = fillable(acct, o)
                if qty > 0:
                    self._fill(acct, o, sm, price, qty, False, ts)
                if o.remaining > 0:
                    o.message = "reduce-only remainder canceled: the position is closed"
                o.updated_at = ts
                self._finish(acct, o, OrderStatus.CANCELED)
        self._rewatch(sm.symbol)

    def _trigger(self, o: OrderState, sm: SymbolMarket, ts: int) -> None:
        acct = self.accounts[o.account]
        o.triggered = True
        o.updated_at = ts
        limit = sm.decimal_to_ticks(o.price) if o.type is OrderType.STOP_LIMIT else None
        walk = sm.walk(o.buy, fillable(acct, o), limit)
        if o.time_in_force is TimeInForce.FOK and sum((q for _, q in walk), ZERO) < o.remaining:
            o.message = "stop triggered but the FOK order could not be filled in full"
            self._finish(acct, o, OrderStatus.EXPIRED)
            return
        if walk and not self._affordable(acct, o, sm, walk):
            o.message = "stop triggered but the account has insufficient balance"
            self._finish(acct, o, OrderStatus.EXPIRED)
            return
        if not walk and o.reduce_only and o.type is OrderType.STOP_MARKET:
            o.message = "reduce-only stop triggered but the position is closed"
        self._take(acct, o, sm, walk, ts)
        if o.type is OrderType.STOP_MARKET or o.remaining <= 0:
            self._finish(acct, o, OrderStatus.EXPIRED)
        elif o.time_in_force in (TimeInForce.IOC, TimeInForce.FOK):
            self._finish(acct, o, OrderStatus.EXPIRED)
        else:
            o.reserve_asset, o.reserved = reservation(acct, o, sm.market)

    def _rewatch(self, symbol: str) -> None:
        """Recompute the thresholds the price process checks each second."""
        sm = self.markets[symbol]
        bl, sl, bs, ss = NO_WATCH_LOW, NO_WATCH_HIGH, NO_WATCH_HIGH, NO_WATCH_LOW
        for o in self._resting.get(symbol, {}).values():
            if o.type.is_stop and not o.triggered:
                t = sm.decimal_to_ticks(o.stop_price)
                if o.buy:
                    bs = min(bs, t)
                else:
                    ss = max(ss, t)
            else:
                t = sm.decimal_to_ticks(o.price)
                if o.buy:
                    bl = max(bl, t)
                else:
                    sl = min(sl, t)
        sm.buy_limit_max, sm.sell_limit_min, sm.buy_stop_min, sm.sell_stop_max = bl, sl, bs, ss
