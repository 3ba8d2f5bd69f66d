"""Sample domain objects for the store tests (not a test module): one definition each,
shared by the test files."""

from __future__ import annotations

from decimal import Decimal as D

from hedgetui.domain import (
    Balance,
    Fill,
    JournalEntry,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    Side,
)


def bal(account, asset, total, ts=0):
    return Balance(account, asset, D(total), D(0), D(total), ts)


def pos(account, symbol, side="long", contracts="1"):
    return Position(account, symbol, side, D(contracts), D("100"))


def order(
    account="main",
    id="1",
    client_id="c1",
    status=OrderStatus.OPEN,
    updated=0,
    created=0,
    filled="0",
):
    return Order(
        account,
        id,
        client_id,
        "BTC/USDT",
        Side.BUY,
        OrderType.LIMIT,
        D("1"),
        status,
        price=D("50000"),
        filled=D(filled),
        created_at=created,
        updated_at=updated,
    )


def fill(id, ts, account="main"):
    return Fill(account, id, "o1", "BTC/USDT", Side.SELL, D("1.5"), D("2"), D("0.01"), "USDT", ts)


def entry(cid, batch="b1", status=OrderStatus.PENDING, created=0):
    req = OrderRequest("BTC/USDT", Side.BUY, OrderType.LIMIT, D("0.1"), cid, price=D("50000"))
    return JournalEntry(cid, batch, "main", req, status, created_at=created, updated_at=created)
