"""Account state of the paper venue: wallets, open/closed orders, fills and positions.

Money rules (all ``Decimal``, never float):

* ``wallet[asset]`` is cash. Spot fills move it; perp fills add realised PnL minus fees.
* An open order holds a reservation (``OrderState.reserved`` of ``reserve_asset``), set on
  placement and recomputed from the remaining amount after each fill, zero when closed.
  ``used`` is *recomputed* as the sum of reservations plus position margin, never kept as a
  running total, so a cancel returns it exactly to its previous value.
* Perps share the account's settle-asset wallet (a unified, cross-margin account):
  ``total = wallet + unrealised PnL``, ``used += position margin`` (entry notional / leverage).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from hedgetui.domain import (
    ZERO,
    Balance,
    Fill,
    Market,
    Order,
    OrderStatus,
    OrderType,
    Position,
    Side,
    TimeInForce,
)

MONEY = Decimal("0.00000001")  # fees, PnL and margin are settled to 8 decimals
ENTRY = Decimal("0.0000000001")
MAINTENANCE_RATE = Decimal("0.004")
FILL_CAP = 5_000  # fills kept per account
CLOSED_CAP = 2_000  # closed orders kept per account (fetch_order, duplicate-id check)


def money(x: Decimal) -> Decimal:
    return x.quantize(MONEY, rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class OrderState:
    id: str
    client_id: str
    account: str
    symbol: str
    side: Side
    type: OrderType
    amount: Decimal
    price: Decimal | None
    stop_price: Decimal | None
    time_in_force: TimeInForce
    reduce_only: bool
    created_at: int
    status: OrderStatus = OrderStatus.OPEN
    filled: Decimal = ZERO
    cost: Decimal = ZERO  # sum of price * amount over fills
    fee: Decimal = ZERO
    fee_currency: str | None = None
    updated_at: int = 0
    message: str = ""
    reserved: Decimal = ZERO
    reserve_asset: str = ""
    triggered: bool = False  # a stop whose trigger fired (stop_limit now rests as a limit)

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.filled

    @property
    def buy(self) -> bool:
        return self.side is Side.BUY

    def to_order(self) -> Order:
        return Order(
            account=self.account,
            id=self.id,
            client_id=self.client_id,
            symbol=self.symbol,
            side=self.side,
            type=self.type,
            amount=self.amount,
            status=self.status,
            price=self.price,
            stop_price=self.stop_price,
            filled=self.filled,
            average=(self.cost / self.filled) if self.filled else None,
            fee=self.fee,
            fee_currency=self.fee_currency,
            time_in_force=self.time_in_force,
            reduce_only=self.reduce_only,
            created_at=self.created_at,
            updated_at=self.updated_at or self.created_at,
            message=self.message,
        )

    def to_json(self) -> dict:
        d = {f: getattr(self, f) for f in self.__slots__}
        for k, v in d.items():
            if isinstance(v, Decimal):
                d[k] = str(v)
        return d

    @classmethod
    def from_json(cls, d: dict) -> OrderState:
        dec = {"amount", "filled", "cost", "fee", "reserved", "price", "stop_price"}
        kw = {k: (Decimal(v) if k in dec and v is not None else v) for k, v in d.items()}
        kw["side"] = Side(kw["side"])
        kw["type"] = OrderType(kw["type"])
        kw["status"] = OrderStatus(kw["status"])
        kw["time_in_force"] = TimeInForce(kw["time_in_force"])
        return cls(**kw)


@dataclass(slots=True)
class PositionState:
    qty: Decimal = ZERO  # signed: > 0 long, < 0 short
    entry: Decimal = ZERO
    realized: Decimal = ZERO  # cumulative for this symbol in this account
    updated_at: int = 0


@dataclass
class Account:
    name: str
    leverage: Decimal
    wallet: dict[str, Decimal] = field(default_factory=dict)
    open: dict[str, OrderState] = field(default_factory=dict)
    closed: OrderedDict[str, OrderState] = field(default_factory=OrderedDict)
    by_client: dict[str, str] = field(default_factory=dict)
    fills: deque[Fill] = field(default_factory=lambda: deque(maxlen=FILL_CAP))
    positions: dict[str, PositionState] = field(default_factory=dict)

    # ---- orders -------------------------------------------------------------------------

    def find(self, order_id: str | None = None, client_id: str | None = None) -> OrderState | None:
        if order_id is None and client_id is not None:
            order_id = self.by_client.get(client_id)
        if order_id is None:
            return None
        return self.open.get(order_id) or self.closed.get(order_id)

    def close(self, order: OrderState) -> None:
        """Move a finished order to history (capped)."""
        order.reserved = ZERO
        self.open.pop(order.id, None)
        self.closed[order.id] = order
        while len(self.closed) > CLOSED_CAP:
            _, old = self.closed.popitem(last=False)
            if self.by_client.get(old.client_id) == old.id:
                del self.by_client[old.client_id]

    # ---- money --------------------------------------------------------------------------

    def reserved(self, asset: str) -> Decimal:
        return sum((o.reserved for o in self.open.values() if o.reserve_asset == asset), ZERO)

    def position_margin(self, markets: dict[str, Market]) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for symbol, pos in self.positions.items():
            if pos.qty:
                m = markets[symbol]
                asset = m.settle or m.quote
                out[asset] = out.get(asset, ZERO) + self.margin_of(pos, m)
        return out

    def margin_of(self, pos: PositionState, market: Market) -> Decimal:
        return money(abs(pos.qty) * pos.entry * market.contract_size / self.leverage)

    def unrealized(
        self, markets: dict[str, Market], marks: dict[str, Decimal]
    ) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for symbol, pos in self.positions.items():
            if pos.qty:
                m = markets[symbol]
                asset = m.settle or m.quote
                pnl = money((marks[symbol] - pos.entry) * pos.qty * m.contract_size)
                out[asset] = out.get(asset, ZERO) + pnl
        return out

    def free(self, asset: str, markets: dict[str, Market], marks: dict[str, Decimal]) -> Decimal:
        total = self.wallet.get(asset, ZERO) + self.unrealized(markets, marks).get(asset, ZERO)
        used = self.reserved(asset) + self.position_margin(markets).get(asset, ZERO)
        return total - used

    def balances(
        self, markets: dict[str, Market], marks: dict[str, Decimal], ts: int
    ) -> list[Balance]:
        upnl = self.unrealized(markets, marks)
        margin = self.position_margin(markets)
        assets = set(self.wallet) | set(upnl) | {o.reserve_asset for o in self.open.values()}
        out = []
        for asset in sorted(a for a in assets if a):
            total = self.wallet.get(asset, ZERO) + upnl.get(asset, ZERO)
            used = self.reserved(asset) + margin.get(asset, ZERO)
            out.append(Balance(self.name, asset, total - used, used, total, ts))
        return out

    def position_views(
        self, markets: dict[str, Market], marks: dict[str, Decimal], ts: int
    ) -> list[Position]:
        out = []
        for symbol in sorted(self.positions):
            pos = self.positions[symbol]
            if not pos.qty:
                continue
            m = markets[symbol]
            mark = marks[symbol]
            out.append(
                Position(
                    account=self.name,
                    symbol=symbol,
                    side="long" if pos.qty > 0 else "short",
                    contracts=abs(pos.qty),
                    entry_price=pos.entry,
                    mark_price=mark,
                    unrealized_pnl=money((mark - pos.entry) * pos.qty * m.contract_size),
                    realized_pnl=pos.realized,
                    leverage=self.leverage,
                    liquidation_price=self._liquidation(pos, m),
                    margin=self.margin_of(pos, m),
                    timestamp=ts,
                )
            )
        return out

    def _liquidation(self, pos: PositionState, market: Market) -> Decimal | None:
        """Cross margin, this position alone against the settle wallet: the mark at which
        equity falls to maintenance margin. None when the wallet covers any move."""
        q = pos.qty * market.contract_size
        wallet = self.wallet.get(market.settle or market.quote, ZERO)
        denom = q - MAINTENANCE_RATE * abs(q)
        if not denom:
            return None
        price = (pos.entry * q - wallet) / denom
        return money(price) if price > 0 else None

    # ---- snapshot -----------------------------------------------------------------------

    def to_json(self) -> dict:
        return {
            "leverage": str(self.leverage),
            "wallet": {a: str(v) for a, v in self.wallet.items()},
            "open_orders": [o.to_json() for o in self.open.values()],
            "closed_orders": [o.to_json() for o in self.closed.values()],
            "fills": [_fill_json(f) for f in self.fills],
            "positions": {
                s: {
                    "qty": str(p.qty),
                    "entry": str(p.entry),
                    "realized": str(p.realized),
                    "updated_at": p.updated_at,
                }
                for s, p in self.positions.items()
            },
        }

    @classmethod
    def from_json(cls, name: str, d: dict) -> Account:
        acct = cls(name=name, leverage=Decimal(d["leverage"]))
        acct.wallet = {a: Decimal(v) for a, v in d["wallet"].items()}
        for od in d.get("open_orders", []):
            o = OrderState.from_json(od)
            acct.open[o.id] = o
            acct.by_client[o.client_id] = o.id
        for od in d.get("closed_orders", []):
            o = OrderState.from_json(od)
            acct.closed[o.id] = o
            acct.by_client[o.client_id] = o.id
        acct.fills.extend(_fill_from_json(name, f) for f in d.get("fills", []))
        for s, p in d.get("positions", {}).items():
            acct.positions[s] = PositionState(
                Decimal(p["qty"]),
                Decimal(p["entry"]),
                Decimal(p["realized"]),
                int(p.get("updated_at", 0)),
            )
        return acct


_FILL_DEC = ("price", "amount", "fee", "realized_pnl")


def _fill_json(f: Fill) -> dict:
    return {
        "id": f.id,
        "order_id": f.order_id,
        "symbol": f.symbol,
        "side": f.side.value,
        "price": str(f.price),
        "amount": str(f.amount),
        "fee": str(f.fee),
        "fee_currency": f.fee_currency,
        "timestamp": f.timestamp,
        "taker": f.taker,
        "client_id": f.client_id,
        "realized_pnl": str(f.realized_pnl),
    }


def _fill_from_json(account: str, d: dict) -> Fill:
    kw = dict(d)
    for k in _FILL_DEC:
        kw[k] = Decimal(kw[k])
    kw["side"] = Side(kw["side"])
    return Fill(account=account, **kw)
