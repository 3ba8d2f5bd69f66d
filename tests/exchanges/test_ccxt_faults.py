"""Faults through real ccxt: what the adapter raises, what the gate hears, and that an order
whose send failed is looked up by client id instead of being sent twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedgetui.domain import OrderRequest, OrderStatus, OrderType, Side
from hedgetui.domain.clock import ManualClock
from hedgetui.exchanges.binance_server import FAULT_KINDS, start_server
from hedgetui.exchanges.ccxt_adapter import is_retryable
from hedgetui.exchanges.ccxt_client import DEFAULT_PENALTY_S
from hedgetui.exchanges.errors import (
    FATAL_FOR_ACCOUNT,
    AuthenticationError,
    DDoSProtection,
    ExchangeError,
    ExchangeNotAvailable,
    InsufficientFunds,
    InvalidNonce,
    InvalidOrder,
    OrderNotFound,
    RateLimitExceeded,
    RequestTimeout,
)

API_KEY = "hedgetuiTESTkey7Qw3Zr9Lm2Xv5"  # same as conftest (tests cannot import conftest)
SECRET = "hedgetuiTESTsecretN4b8Jp1Ks6Ty0Wc"


def buy(cid: str, amount: str = "0.01") -> OrderRequest:
    return OrderRequest("BTC/USDT", Side.BUY, OrderType.MARKET, Decimal(amount), cid)


def engine_orders(venue, cid: str) -> int:
    """How many orders the venue holds with this client id (open or closed)."""
    acct = venue.account("live")
    return sum(o.client_id == cid for o in [*acct.open.values(), *acct.closed.values()])


def chain(exc: BaseException) -> list[BaseException]:
    out, seen = [], exc
    while seen is not None:
        out.append(seen)
        seen = seen.__cause__ or seen.__context__
    return out


@pytest.mark.parametrize(("kind", "status"), [("429", 429), ("418", 418)])
async def test_429_and_418_raise_ddos_and_penalize_the_gate_with_retry_after(
    ex, server, kind, status
):
    await ex.load_markets()
    server.inject("/api/v3/depth", kind, retry_after=7)
    with pytest.raises(DDoSProtection) as err:
        await ex.fetch_order_book("BTC/USDT")
    assert is_retryable(err.value)
    assert [(s, st) for s, st, _r in ex.gate.penalties] == [(7.0, status)]
    assert "binance" in ex.gate.penalties[0][2]
    book = await ex.fetch_order_book("BTC/USDT")  # the fault fired once
    assert book.bids


async def test_code_1003_is_rate_limit_exceeded_and_penalizes_with_default(ex, server):
    await ex.load_markets()
    server.inject("/api/v3/ticker/24hr", "-1003")
    with pytest.raises(RateLimitExceeded) as err:
        await ex.fetch_tickers()
    assert is_retryable(err.value)
    assert ex.gate.penalties[0][:2] == (DEFAULT_PENALTY_S, 200)


async def test_html_5xx_is_exchange_not_available_and_retryable(ex, server):
    await ex.load_markets()
    server.inject("/api/v3/klines", "5xx")
    with pytest.raises(ExchangeNotAvailable) as err:
        await ex.fetch_ohlcv("BTC/USDT")
    assert is_retryable(err.value)
    assert ex.gate.penalties == []


async def test_slow_reply_is_request_timeout_without_secrets(make_exchange, server):
    ex = make_exchange(timeout_ms=250)
    await ex.load_markets()
    server.inject("/api/v3/account", "slow", delay=0.6)
    with pytest.raises(RequestTimeout) as err:
        await ex.fetch_balance()
    assert is_retryable(err.value)
    signature = ex.client.last_request_url.split("signature=")[1]
    for exc in chain(err.value):
        text = str(exc)
        assert signature not in text and SECRET not in text and API_KEY not in text
    assert "signature=***" in str(err.value)  # the URL stays useful, minus the signature


@pytest.mark.parametrize(
    ("kind", "path", "method", "call", "expected"),
    [
        ("-2010", "/api/v3/order", "POST", "create", InsufficientFunds),
        ("-1013", "/api/v3/order", "POST", "create", InvalidOrder),
        ("-2011", "/api/v3/order", "DELETE", "cancel", OrderNotFound),
        ("-1022", "/api/v3/account", None, "balance", AuthenticationError),
    ],
)
async def test_error_codes_map_to_ccxt_classes(ex, server, kind, path, method, call, expected):
    await ex.load_markets()
    server.inject(path, kind, method=method)
    calls = {
        "create": lambda: ex.create_order(buy("err-1")),
        "cancel": lambda: ex.cancel_order("12345", "BTC/USDT"),
        "balance": ex.fetch_balance,
    }
    with pytest.raises(expected) as err:
        await calls[call]()
    assert not is_retryable(err.value)
    assert isinstance(err.value, FATAL_FOR_ACCOUNT) == (expected is AuthenticationError)
    if call == "create":  # a definite rejection: no lookup, no second send
        assert len(server.seen("/api/v3/order", "POST")) == 1
        assert server.seen("/api/v3/order", "GET") == []


async def test_every_fault_kind_is_covered():
    covered = {
        "429",
        "418",
        "5xx",
        "slow",
        "slow_unprocessed",
        "-1003",
        "-2010",
        "-1013",
        "-2011",
        "-1022",
    }
    assert covered == set(FAULT_KINDS)


async def test_wrong_secret_and_unknown_key_are_authentication_errors(make_exchange):
    wrong = make_exchange(credentials={"apiKey": API_KEY, "secret": "x" * 32})
    with pytest.raises(AuthenticationError, match="-1022"):
        await wrong.fetch_balance()
    unknown = make_exchange(credentials={"apiKey": "nobody-key-123", "secret": SECRET})
    with pytest.raises(AuthenticationError, match="-2015") as err:
        await unknown.fetch_balance()
    assert "nobody-key-123" not in str(err.value)


async def test_clock_skew_outside_recv_window_is_invalid_nonce(make_exchange):
    ex = make_exchange(ccxt_options={"timeDifference": 120_000})  # our clock 2 min behind
    with pytest.raises(InvalidNonce):
        await ex.fetch_balance()


async def test_timed_out_order_is_found_by_client_id_not_resent(make_exchange, server, venue):
    ex = make_exchange(timeout_ms=250)
    await ex.load_markets()
    server.inject("/api/v3/order", "slow", method="POST", delay=0.6)
    order = await ex.create_order(buy("tmo-1"))
    assert order.client_id == "tmo-1" and order.status is OrderStatus.FILLED
    posts = [r for r in server.seen("/api/v3/order", "POST")]
    assert [r.params["newClientOrderId"] for r in posts] == ["tmo-1"]
    lookups = server.seen("/api/v3/order", "GET")
    assert [r.params["origClientOrderId"] for r in lookups] == ["tmo-1"]
    assert engine_orders(venue, "tmo-1") == 1


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("slow_unprocessed", RequestTimeout), ("5xx", ExchangeNotAvailable), ("429", DDoSProtection)],
)
async def test_failed_send_that_never_arrived_raises_after_the_lookup(
    make_exchange, server, venue, kind, expected
):
    ex = make_exchange(timeout_ms=250)
    await ex.load_markets()
    server.inject("/api/v3/order", kind, method="POST", delay=0.6)
    with pytest.raises(expected):
        await ex.create_order(buy("lost-1"))
    assert len(server.seen("/api/v3/order", "POST")) == 1  # never re-sent
    assert [r.params["origClientOrderId"] for r in server.seen("/api/v3/order", "GET")] == [
        "lost-1"
    ]
    assert engine_orders(venue, "lost-1") == 0


async def test_server_weight_budget_answers_429_and_the_gate_is_penalized(venue, make_exchange):
    window = ManualClock(1_800_000_000_000)
    url, srv = await start_server(
        venue, {API_KEY: (SECRET, "live")}, weight_limit=27, window_clock=window
    )
    try:
        ex = make_exchange(api_url=url)
        await ex.load_markets()  # 20
        await ex.fetch_order_book("BTC/USDT", 5)  # 25
        with pytest.raises(DDoSProtection):
            await ex.fetch_order_book("BTC/USDT", 5)  # 30 > 27
        with pytest.raises(DDoSProtection):
            await ex.fetch_order_book("BTC/USDT", 5)
        assert srv.meter.rejected == 2
        assert srv.meter.max_window_weight == 35
        retry = ex.gate.penalties[0][0]
        assert 1 <= retry <= 60 and ex.gate.penalties[0][1] == 429
        window.advance(60_000)  # next minute: budget restored
        assert (await ex.fetch_order_book("BTC/USDT", 5)).asks
        assert srv.meter.total_weight == 40
    finally:
        await srv.close()


async def test_redacted_errors_keep_class_and_drop_secret_values(ex):
    planted = ExchangeError(f"binance boom apiKey={API_KEY} {SECRET} &signature=abcdef123")
    clean = ex.redacted(planted)
    assert type(clean) is ExchangeError
    assert API_KEY not in str(clean) and SECRET not in str(clean)
    assert "abcdef123" not in str(clean)


def test_retryable_classification_matches_errors_module():
    assert all(
        is_retryable(c("x"))
        for c in (RequestTimeout, ExchangeNotAvailable, DDoSProtection, RateLimitExceeded)
    )
    assert not any(
        is_retryable(c("x"))
        for c in (InsufficientFunds, InvalidOrder, AuthenticationError, OrderNotFound)
    )


async def test_check_account_reports_permissions_and_warns_on_withdraw(ex, server):
    result = await ex.check_account()
    assert result.ok and result.can_trade is True and result.can_withdraw is False
    assert result.warnings == ()
    assert server.seen("/sapi/v1/account/apiRestrictions")
    server.grant(API_KEY, can_trade=True, can_withdraw=True)
    result = await ex.check_account()
    assert result.can_withdraw is True
    assert any("withdraw" in w for w in result.warnings)


async def test_check_account_falls_back_to_account_flags(ex, server):
    server.grant(API_KEY, can_trade=False, can_withdraw=False)
    server.inject("/sapi/v1/account/apiRestrictions", "5xx")
    result = await ex.check_account()
    assert result.ok and result.can_trade is False
    assert any("cannot trade" in w for w in result.warnings)
    assert len(server.seen("/api/v3/account")) == 2  # balance, then the permission flags


async def test_check_account_with_bad_keys_is_not_ok_and_redacted(make_exchange):
    ex = make_exchange(credentials={"apiKey": API_KEY, "secret": "y" * 32})
    result = await ex.check_account()
    assert not result.ok and result.error.startswith("keys rejected")
    assert API_KEY not in result.error and "y" * 32 not in result.error


async def test_debug_logging_never_carries_the_key_or_signature(ex, caplog):
    import logging

    with caplog.at_level(logging.DEBUG):
        await ex.fetch_balance()
    assert ex.client.last_request_headers["X-MBX-APIKEY"] == API_KEY  # it was sent...
    text = caplog.text
    assert API_KEY not in text and "signature=" not in text  # ...but never logged
