"""Chart drawings: stored per (exchange, symbol), edited, deleted, read by other modules."""

import pytest

from hedgetui.store import Store, StoreError
from hedgetui.store.drawings import (
    add_hline,
    add_trendline,
    delete_drawing,
    get_drawing,
    list_drawings,
    update_drawing,
)


async def test_drawings_persist_across_reopen_and_filter_by_market(tmp_path):
    path = tmp_path / "d.db"
    store = await Store.open(path)
    try:
        seen = []
        store.subscribe(seen.append)
        a = await add_hline(store, "paper", "BTC/USDT", 64_000.5, "  weekly\nhigh ", now_ms=1000)
        b = await add_trendline(store, "paper", "BTC/USDT", 5000, 2.0, 3000, 1.0, now_ms=2000)
        c = await add_hline(store, "dukascopy", "EUR/USD", 1.1, now_ms=3000)
        assert seen[-1].tables == frozenset({"drawings"})
        assert seen[-1].keys["drawings"] == frozenset({("dukascopy", "EUR/USD")})
    finally:
        await store.close()
    store = await Store.open(path, readonly=True)
    try:
        btc = await list_drawings(store, "paper", "BTC/USDT")
        assert [d.id for d in btc] == [a.id, b.id]
        assert btc[0].kind == "hline" and btc[0].price == 64_000.5
        assert btc[0].label == "weekly high" and btc[0].created_at == 1000
        # points are kept in time order
        assert (btc[1].t1, btc[1].p1, btc[1].t2, btc[1].p2) == (3000, 1.0, 5000, 2.0)
        assert btc[1].price_at(4000) == 1.5 and btc[1].price_at(7000) == 3.0
        assert [d.id for d in await list_drawings(store)] == [a.id, b.id, c.id]
        assert [d.symbol for d in await list_drawings(store, exchange="dukascopy")] == ["EUR/USD"]
    finally:
        await store.close()


async def test_edit_and_delete(store):
    d = await add_hline(store, "paper", "ETH/USDT", 3000.0, "r1", now_ms=1)
    moved = await update_drawing(store, d.id, price=3100.0, label="r1 moved", now_ms=2)
    assert (moved.price, moved.label, moved.created_at, moved.updated_at) == (
        3100.0,
        "r1 moved",
        1,
        2,
    )
    t = await add_trendline(store, "paper", "ETH/USDT", 1, 1.0, 2, 2.0, "up")
    with pytest.raises(ValueError, match="trend line"):
        await update_drawing(store, t.id, price=5.0)
    assert await delete_drawing(store, d.id) is True
    assert await delete_drawing(store, d.id) is False
    assert await get_drawing(store, d.id) is None
    assert [x.id for x in await list_drawings(store, "paper", "ETH/USDT")] == [t.id]
    with pytest.raises(StoreError, match=f"no drawing #{d.id}"):
        await update_drawing(store, d.id, label="x")
    # ids are never reused
    again = await add_hline(store, "paper", "ETH/USDT", 2900.0)
    assert again.id > t.id


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"price": float("nan")}, "finite"),
        ({"price": -1.0}, "above zero"),
        ({"price": 1.0, "label": "x" * 61}, "keep it to 60"),
        ({"price": 1.0, "exchange": " "}, "exchange"),
    ],
)
async def test_bad_input_names_the_problem(store, kwargs, message):
    args = {"exchange": "paper", "symbol": "BTC/USDT", **kwargs}
    with pytest.raises(ValueError, match=message):
        await add_hline(store, args.pop("exchange"), args.pop("symbol"), **args)
    assert await list_drawings(store) == []


async def test_trend_line_needs_two_times(store):
    with pytest.raises(ValueError, match="two different times"):
        await add_trendline(store, "paper", "BTC/USDT", 5, 1.0, 5, 2.0)
