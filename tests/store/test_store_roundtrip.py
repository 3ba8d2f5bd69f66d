"""Exact round-trips: Decimals (TEXT) and floats (REAL) come back exactly, for every model."""

from __future__ import annotations

import asyncio
import math
from dataclasses import fields

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hedgetui.domain import (
    AccountInfo,
    Balance,
    Candle,
    Fill,
    HealthState,
    JournalEntry,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    PollerHealth,
    Position,
    Side,
    Ticker,
    TimeInForce,
)
from hedgetui.store import Store

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
ident = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
decimals = st.decimals(allow_nan=False, allow_infinity=True)
opt_decimals = st.none() | decimals
floats = st.floats(allow_nan=False)  # NaN has no exact SQL value (SQLite stores NULL)
opt_floats = st.none() | floats
ms = st.integers(min_value=0, max_value=2**62)
EX = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_exact(got, expected) -> None:
    """Equal, and every Decimal keeps its exact text (1.10 stays 1.10, 1E+2 stays 1E+2)
    and every non-zero float its exact bits. (SQLite stores -0.0 as 0: equal, sign lost.)"""
    assert got == expected
    for f in fields(expected):
        a, b = getattr(got, f.name), getattr(expected, f.name)
        if f.name == "request":
            assert_exact(a, b)
        elif type(b).__name__ == "Decimal":
            assert str(a) == str(b), f.name
        elif isinstance(b, float) and b != 0:
            assert isinstance(a, float) and (a == b or math.isinf(b)), f.name
            assert a.hex() == b.hex(), f.name


@pytest.fixture
def run(tmp_path):
    """A store on a private event loop, so hypothesis can drive many examples through it."""
    loop = asyncio.new_event_loop()
    store = loop.run_until_complete(Store.open(tmp_path / "rt.db"))
    yield store, loop.run_until_complete
    loop.run_until_complete(store.close())
    loop.close()


@EX
@given(
    st.lists(
        st.builds(Balance, st.just("acct"), ident, decimals, decimals, decimals, ms),
        max_size=5,
        unique_by=lambda b: b.asset,
    )
)
def test_balance_round_trip(run, balances):
    store, wait = run
    store.put_balances("acct", balances, ts=1)
    wait(store.flush())
    got = {b.asset: b for b in wait(store.balances("acct"))}
    assert len(got) == len(balances)
    for b in balances:
        assert_exact(got[b.asset], b)


@EX
@given(
    st.builds(
        Position,
        st.just("acct"),
        ident,
        st.sampled_from(["long", "short"]),
        decimals,
        decimals,
        opt_decimals,
        decimals,
        decimals,
        opt_decimals,
        opt_decimals,
        opt_decimals,
        ms,
    )
)
def test_position_round_trip(run, position):
    store, wait = run
    store.put_positions("acct", [position], ts=1)
    wait(store.flush())
    (got,) = wait(store.positions("acct"))
    assert_exact(got, position)


@EX
@given(
    st.builds(
        Order,
        ident,
        text,
        ident,
        text,
        st.sampled_from(Side),
        st.sampled_from(OrderType),
        decimals,
        st.sampled_from(OrderStatus),
        opt_decimals,
        opt_decimals,
        decimals,
        opt_decimals,
        decimals,
        st.none() | text,
        st.sampled_from(TimeInForce),
        st.booleans(),
        ms,
        ms,
        text,
    )
)
def test_order_round_trip(run, order):
    store, wait = run
    wait(store._writer_conn.execute("DELETE FROM orders"))  # independent examples
    store.put_orders([order])
    wait(store.flush())
    (got,) = wait(store.orders())
    assert_exact(got, order)


@EX
@given(
    st.builds(
        Fill,
        ident,
        ident,
        text,
        text,
        st.sampled_from(Side),
        decimals,
        decimals,
        decimals,
        text,
        ms,
        st.booleans(),
        text,
        decimals,
    )
)
def test_fill_round_trip(run, fill):
    store, wait = run
    wait(store._writer_conn.execute("DELETE FROM fills"))
    store.put_fills([fill])
    wait(store.flush())
    (got,) = wait(store.fills())
    assert_exact(got, fill)


@EX
@given(
    st.builds(
        Ticker,
        ident,
        ident,
        ms,
        floats,
        opt_floats,
        opt_floats,
        opt_floats,
        opt_floats,
        opt_floats,
        opt_floats,
        opt_floats,
    )
)
def test_ticker_round_trip(run, ticker):
    store, wait = run
    store.put_tickers([ticker])
    wait(store.flush())
    got = [t for t in wait(store.tickers(ticker.exchange)) if t.symbol == ticker.symbol]
    assert_exact(got[0], ticker)


@EX
@given(
    st.lists(
        st.builds(Candle, ms, floats, floats, floats, floats, floats),
        max_size=20,
        unique_by=lambda c: c.ts,
    )
)
def test_candle_round_trip(run, candles):
    store, wait = run
    wait(store._writer_conn.execute("DELETE FROM candles"))
    store.put_candles("ex", "A/B", "1m", candles)
    wait(store.flush())
    got = wait(store.candles("ex", "A/B", "1m"))
    expected = sorted(candles, key=lambda c: c.ts)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert_exact(g, e)


@EX
@given(
    st.builds(
        PollerHealth,
        ident,
        text,
        text,
        st.none() | text,
        st.sampled_from(HealthState),
        ms,
        ms,
        floats,
        st.integers(0, 2**31),
        st.integers(0, 2**31),
        text,
        floats,
    )
)
def test_health_round_trip(run, record):
    store, wait = run
    store.put_health([record])
    wait(store.flush())
    got = [h for h in wait(store.health()) if h.key == record.key]
    assert_exact(got[0], record)


@EX
@given(
    st.lists(
        st.builds(
            AccountInfo,
            ident,
            text,
            st.booleans(),
            st.lists(text, max_size=3).map(tuple),
            st.booleans(),
        ),
        max_size=4,
        unique_by=lambda a: a.name,
    )
)
def test_account_round_trip(run, accounts):
    store, wait = run
    store.put_accounts(accounts)
    wait(store.flush())
    assert wait(store.accounts()) == sorted(accounts, key=lambda a: a.name)


@EX
@given(
    st.builds(
        JournalEntry,
        ident,
        text,
        text,
        st.builds(
            OrderRequest,
            text,
            st.sampled_from(Side),
            st.sampled_from(OrderType),
            decimals,
            text,
            opt_decimals,
            opt_decimals,
            st.sampled_from(TimeInForce),
            st.booleans(),
        ),
        st.sampled_from(OrderStatus),
        text,
        text,
        ms,
        ms,
        st.integers(0, 1000),
    )
)
def test_journal_round_trip(run, entry):
    store, wait = run
    wait(store._writer_conn.execute("DELETE FROM order_journal"))
    wait(store.journal_add([entry]))
    (got,) = wait(store.journal())
    assert_exact(got, entry)


@EX
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | floats.filter(math.isfinite) | text,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
        max_leaves=10,
    )
)
def test_snapshot_round_trip(run, value):
    store, wait = run
    wait(store.save_snapshot("paper", {"state": value}))
    assert wait(store.load_snapshot("paper")) == {"state": value}
