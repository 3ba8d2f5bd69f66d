"""Each [risk] limit blocks the order that breaks it, with a reason naming the limit."""

import itertools
from decimal import Decimal as D

from hedgetui.config.model import RiskConfig
from hedgetui.domain import Market, MarketType, OrderRequest, OrderType, Side, TimeInForce
from hedgetui.domain.orderlang import ConcreteOrder
from hedgetui.domain.risk import check_orders, confirmation, day_start

SPOT = Market("BTC/USDT", "BTC", "USDT", price_step=D("0.01"), amount_step=D("0.00001"))
PERP = Market("BTC/USDT:USDT", "BTC", "USDT", type=MarketType.SWAP, settle="USDT")
_IDS = itertools.count(1)
RISK = RiskConfig(
    max_notional_per_order=D(10_000),
    max_notional_per_account_day=D(25_000),
    max_open_orders=3,
    price_band_pct=D(5),
)


def order(
    amount="0.1",
    price="100000",
    last="100000",
    account="main",
    type_=OrderType.LIMIT,
    tif=TimeInForce.GTC,
    reduce=False,
    market=SPOT,
    blocks=(),
):
    p = D(price) if price is not None else None
    req = OrderRequest(
        market.symbol,
        Side.BUY,
        type_,
        D(amount),
        f"c{next(_IDS)}",
        price=p,
        time_in_force=tif,
        reduce_only=reduce,
    )
    ref = p if p is not None else (D(last) if last else None)
    return ConcreteOrder(
        account,
        "paper",
        True,
        req,
        market,
        notional=D(amount) * ref if ref is not None else None,
        price=ref,
        last_price=D(last) if last else None,
        line=1,
        source="",
        blocks=blocks,
    )


def check(orders, day=None, open_=None):
    return check_orders(orders, RISK, day_notional=day or {}, open_orders=open_ or {})


def test_within_every_limit_passes():
    assert check([order()]) == [()]


def test_per_order_notional():
    (reasons,) = check([order(amount="0.11")])  # 11,000 > 10,000
    assert len(reasons) == 1 and "max_notional_per_order" in reasons[0]
    assert "11000" in reasons[0].replace(",", "")


def test_per_account_day_counts_sent_and_earlier_rows():
    out = check([order(), order(), order(amount="0.06")], day={"main": D(14_000)})
    # 14k sent + 10k = 24k ok; + 10k = 34k blocked (and reserves nothing); 24k + 6k too
    assert out[0] == ()
    assert "max_notional_per_account_day" in out[1][0]
    assert "max_notional_per_account_day" in out[2][0]  # 24k + 6k = 30k > 25k
    other = check([order(account="alt")], day={"main": D(24_000)})
    assert other == [()]  # per account


def test_day_limit_ignores_orders_blocked_by_expansion():
    out = check([order(blocks=("below min",)), order(), order()], day={"main": D(5_000)})
    assert out == [(), (), ()]  # 5k + 10k + 10k = 25k: the blocked first one takes nothing


def test_max_open_orders_counts_resting_orders_only():
    out = check(
        [
            order(amount="0.01"),
            order(amount="0.01"),
            order(amount="0.01", type_=OrderType.MARKET, price=None),
            order(amount="0.01", tif=TimeInForce.IOC),
            order(amount="0.01"),
        ],
        open_={"main": 1},
    )
    assert out[:4] == [(), (), (), ()]
    assert "max_open_orders" in out[4][0] and "4 open orders" in out[4][0]


def test_price_band_both_directions_and_unknown_last():
    above, below, inside, unknown = check(
        [
            order(amount="0.01", price="106000"),
            order(amount="0.01", price="94000"),
            order(amount="0.01", price="95000"),
            order(amount="0.01", last=None),
        ]
    )
    assert "6% above last" in above[0] and "price_band_pct" in above[0]
    assert "6% below" in below[0]
    assert inside == ()
    assert "price band" in unknown[0]


def test_market_order_without_price_is_blocked():
    (reasons,) = check([order(type_=OrderType.MARKET, price=None, last=None)])
    assert reasons == ("notional unknown (no last price): risk limits cannot be checked",)


def test_reduce_only_skips_notional_limits_not_the_band():
    big = order(amount="5", market=PERP, reduce=True)  # 500k notional
    far = order(amount="0.01", market=PERP, reduce=True, price="50000")
    ok, band = check([big, far])
    assert ok == ()
    assert "price band" in band[0]


def test_confirmation_levels_rise_with_live_notional():
    assert confirmation(0, D(50_000), []).expected == "y"  # paper only
    plain = confirmation(RISK.confirm_level(D(900)), D(900), ["live1"])
    assert plain.level == 0 and plain.accepts("y") and plain.live
    word = confirmation(RISK.confirm_level(D(5_000)), D(5_000), ["live1"])
    assert word.level == 1 and word.accepts("CONFIRM") and not word.accepts("y")
    amount = confirmation(RISK.confirm_level(D("12345.6")), D("12345.6"), ["live1"])
    assert amount.level == 2 and amount.expected == "12346"
    assert amount.accepts("12,346") and not amount.accepts("CONFIRM")
    assert "LIVE on live1" in amount.prompt


def test_day_start_is_utc_midnight():
    assert day_start(1_767_268_800_000) == 1_767_225_600_000
