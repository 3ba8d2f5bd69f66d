"""The order language parser: every documented form, and errors that point at the spot."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from hedgetui.domain.models import OrderType, Side, TimeInForce
from hedgetui.domain.orderlang import (
    AccountSelector,
    CancelStmt,
    CloseStmt,
    Dist,
    Ladder,
    OrderStmt,
    ParseError,
    Size,
    SizeKind,
    parse,
    parse_statement,
)


def one(text: str):
    return parse_statement(text)


def test_limit_order_on_named_accounts():
    s = one("buy 0.5 BTC/USDT @ 64000 on main,alt")
    assert s == OrderStmt(
        side=Side.BUY,
        size=Size(SizeKind.BASE, D("0.5"), "BTC"),
        symbol="BTC/USDT",
        type=OrderType.LIMIT,
        price=D(64000),
        accounts=AccountSelector(names=("main", "alt")),
    )
    assert s.line == 1 and s.source == "buy 0.5 BTC/USDT @ 64000 on main,alt"


@pytest.mark.parametrize("word", ["mkt", "market", "MKT", "Market"])
def test_market_order_keywords(word):
    s = one(f"sell 0.2 eth/usdt {word} on @binance")
    assert s.type is OrderType.MARKET and s.price is None
    assert s.symbol == "ETH/USDT" and s.side is Side.SELL
    assert s.accounts == AccountSelector(tags=("binance",))


@pytest.mark.parametrize("side, expected", [("b", Side.BUY), ("s", Side.SELL), ("BUY", Side.BUY)])
def test_side_synonyms(side, expected):
    assert one(f"{side} 1 BTC/USDT mkt on a").side is expected


@pytest.mark.parametrize(
    "size, kind, value, ccy",
    [
        ("0.5", SizeKind.BASE, "0.5", "BTC"),
        (".5", SizeKind.BASE, "0.5", "BTC"),
        ("0.5btc", SizeKind.BASE, "0.5", "BTC"),
        ("0.5 BTC", SizeKind.BASE, "0.5", "BTC"),
        ("1000usdt", SizeKind.QUOTE, "1000", "USDT"),
        ("1000USDT", SizeKind.QUOTE, "1000", "USDT"),
        ("1000 usdt", SizeKind.QUOTE, "1000", "USDT"),
        ("1.5kusdt", SizeKind.QUOTE, "1500", "USDT"),
        ("2k usdt", SizeKind.QUOTE, "2000", "USDT"),
        ("1_000usdt", SizeKind.QUOTE, "1000", "USDT"),
        ("10%", SizeKind.PERCENT, "10", None),
        ("10 %", SizeKind.PERCENT, "10", None),
        ("100%", SizeKind.PERCENT, "100", None),
        ("0.5%", SizeKind.PERCENT, "0.5", None),
    ],
)
def test_sizes(size, kind, value, ccy):
    s = one(f"buy {size} BTC/USDT mkt on a")
    assert s.size == Size(kind, D(value), ccy)


def test_size_unit_matches_symbol_exactly_before_multipliers():
    # KSM starts with k: "100ksm" is 100 KSM, not 100k of "SM"
    assert one("buy 100ksm KSM/USDT mkt on a").size == Size(SizeKind.BASE, D(100), "KSM")
    assert one("buy 1.5m DOGE/USDT mkt on a").size == Size(SizeKind.BASE, D(1_500_000), "DOGE")


@pytest.mark.parametrize(
    "price, value", [("64000", "64000"), ("64_000", "64000"), ("64k", "64000"), ("1.5m", "1500000")]
)
def test_price_numbers(price, value):
    assert one(f"buy 1 BTC/USDT @ {price} on a").price == D(value)
    assert one(f"buy 1 BTC/USDT @{price} on a").price == D(value)


def test_symbols_are_normalised_and_perps_supported():
    s = one("sell 1 btc/usdt:usdt mkt reduce on @perps")
    assert s.symbol == "BTC/USDT:USDT" and s.reduce_only
    assert one("buy 1 BTC/USD:BTC-240628 mkt on a").symbol == "BTC/USD:BTC-240628"
    assert one("buy 1 1000pepe/usdt mkt on a").symbol == "1000PEPE/USDT"


def test_ladder_with_distributions():
    s = one("buy 1000usdt BTC/USDT @ 63000..60000 x5 dist=linear on main")
    assert s.ladder == Ladder(D(63000), D(60000), 5, Dist.LINEAR)
    assert s.type is OrderType.LIMIT and s.price is None
    assert one("buy 1 BTC/USDT @ 60k..63k x3 on a").ladder == Ladder(D(60000), D(63000), 3)
    assert one("buy 1 BTC/USDT @ 1..2 x3 dist=exp on a").ladder.exp_factor == D("1.5")
    exp = one("buy 1 BTC/USDT @ 1..2 x3 dist=exp:2 on a").ladder
    assert (exp.dist, exp.factor) == (Dist.EXP, D(2))
    assert one("buy 1 BTC/USDT @ 1..2 X3 dist=lin on a").ladder.dist is Dist.LINEAR
    assert one("buy 1 BTC/USDT @ 1..2 x2 on a dist=flat").ladder.dist is Dist.FLAT
    assert one("buy 1 BTC/USDT @ 5..5 x1 on a").ladder.count == 1


def test_stop_orders():
    s = one("sell 0.5 BTC/USDT stop 60000 on main")
    assert (s.type, s.stop_price, s.price) == (OrderType.STOP_MARKET, D(60000), None)
    s = one("sell 0.5 BTC/USDT stop 60000 @ 59900 on main")
    assert (s.type, s.stop_price, s.price) == (OrderType.STOP_LIMIT, D(60000), D(59900))
    assert one("sell 0.5 BTC/USDT @ 59900 stop 60000 on main") == s


@pytest.mark.parametrize(
    "flags, tif, reduce",
    [
        ("post", TimeInForce.PO, False),
        ("po", TimeInForce.PO, False),
        ("ioc", TimeInForce.IOC, False),
        ("FOK", TimeInForce.FOK, False),
        ("gtc", TimeInForce.GTC, False),
        ("post reduce", TimeInForce.PO, True),
        ("ro ioc", TimeInForce.IOC, True),
        ("post post", TimeInForce.PO, False),
    ],
)
def test_flags_before_or_after_on(flags, tif, reduce):
    before = one(f"sell 1 BTC/USDT:USDT @ 70000 {flags} on main")
    after = one(f"sell 1 BTC/USDT:USDT @ 70000 on main {flags}")
    assert before == after
    assert (before.time_in_force, before.reduce_only) == (tif, reduce)


def test_account_selectors():
    assert one("buy 1 A/B mkt on all").accounts == AccountSelector(all=True)
    assert one("buy 1 A/B mkt on ALL").accounts.all
    sel = one("buy 1 A/B mkt on main, @perps ,alt-2,@x.y").accounts
    assert sel == AccountSelector(names=("main", "alt-2"), tags=("perps", "x.y"))
    # after a comma, flag words are account names
    assert one("buy 1 A/B @ 1 on main,post").accounts.names == ("main", "post")
    assert one("buy 1 A/B @ 1 on post").accounts.names == ("post",)


def test_cancel_and_close():
    assert one("cancel all on main") == CancelStmt(AccountSelector(names=("main",)))
    c = one("cancel BTC/USDT on all")
    assert (c.symbol, c.side, c.accounts.all) == ("BTC/USDT", None, True)
    assert one("cancel sell btc/usdt on a").side is Side.SELL
    assert one("cancel buy all on a") == CancelStmt(AccountSelector(names=("a",)), None, Side.BUY)
    close = one("close BTC/USDT:USDT on @perps")
    assert close == CloseStmt(AccountSelector(tags=("perps",)), "BTC/USDT:USDT", D(100))
    assert one("close 50% all on x") == CloseStmt(AccountSelector(names=("x",)), None, D(50))
    assert one("close 25 % ETH/USDT on x").percent == D(25)


def test_batch_lines_comments_and_semicolons():
    text = (
        "# morning plan\n"
        "\n"
        "buy 0.5 BTC/USDT @ 64000 on main   # the dip\n"
        "   \t  \n"
        "cancel all on alt; close BTC/USDT:USDT on @perps ;\r\n"
        "sell 1 ETH/USDT mkt on main#no space before comment\n"
    )
    batch = parse(text)
    assert [type(s).__name__ for s in batch.statements] == [
        "OrderStmt",
        "CancelStmt",
        "CloseStmt",
        "OrderStmt",
    ]
    assert [s.line for s in batch.statements] == [3, 5, 5, 6]
    assert batch.statements[0].source == "buy 0.5 BTC/USDT @ 64000 on main"
    assert batch.statements[2].source == "close BTC/USDT:USDT on @perps"
    assert batch.text == text
    assert parse("").statements == () and parse("# nothing\n;;\n").statements == ()


def test_canonical_text_round_trips():
    text = (
        "b 1.5kusdt btc/usdt @ 63k..60k x5 dist=exp:1.25 on main, @perps post\n"
        "s 10% ETH/USDT:USDT @59900 stop 60000 ro ioc on all\n"
        "cancel sell all on a\nclose 50% all on @x"
    )
    batch = parse(text)
    canonical = batch.to_text()
    assert canonical.splitlines() == [
        "buy 1500usdt BTC/USDT @ 63000..60000 x5 dist=exp:1.25 post on main,@perps",
        "sell 10% ETH/USDT:USDT stop 60000 @ 59900 ioc reduce on all",
        "cancel sell all on a",
        "close 50% all on @x",
    ]
    assert parse(canonical) == batch


def err(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text)
    return info.value


def test_error_render_points_at_the_token():
    e = err("buy 0.5 BTC/USDT @ abc on main")
    assert (e.line, e.col, e.token) == (1, 20, "abc")
    assert e.expected == "a price after '@'"
    assert str(e) == "line 1, col 20: expected a price after '@', got 'abc'"
    assert e.render() == (
        "line 1, col 20: expected a price after '@', got 'abc'\n"
        "  buy 0.5 BTC/USDT @ abc on main\n"
        "                     ^"
    )
    assert isinstance(e, ValueError)


def test_error_caret_follows_tabs():
    e = err("\tbuy 1 A/B @ x on a")
    assert e.col == 14
    assert e.render().splitlines()[2] == "  \t            ^"


@pytest.mark.parametrize(
    "text, col, message",
    [
        ("buy 0.5 BTC/USDT @ 64000", 25, "expected 'on' followed by accounts, got end of line"),
        ("buy 0.5 BTC/USDT @ 64000 main", 26, "expected 'on' followed by accounts, got 'main'"),
        ("foo 1 A/B mkt on a", 1, "expected a statement (buy, sell, cancel or close), got 'foo'"),
        ("buy", 4, "expected a size (e.g. 0.5, 1000usdt, 10%) after 'buy', got end of line"),
        ("buy BTC/USDT 1 mkt on a", 5, "expected a size (e.g. 0.5, 1000usdt, 10%) after 'buy'"),
        ("buy 1 btcusdt mkt on a", 7, "(did you mean BTC/USDT?)"),
        ("buy 1 BTC/USDT on a", 16, "expected '@ PRICE', 'mkt' or 'stop PRICE' after 'BTC/USDT'"),
        ("buy 1 BTC/USDT @ mkt on a", 18, "for a market order write 'mkt' without '@'"),
        ("buy 1 BTC/USDT @ 64,000 on a", 20, "no commas in numbers: write 64000 or 64_000"),
        ("buy 1,000usdt BTC/USDT mkt on a", 6, "no commas in numbers"),
        ("buy 1 BTC/USDT @ 0 on a", 18, "a price must be greater than 0"),
        ("buy 0 BTC/USDT mkt on a", 5, "the size must be greater than 0"),
        ("buy 1e5 BTC/USDT mkt on a", 5, "unknown size unit 'e5'"),
        ("buy 5eth BTC/USDT mkt on a", 5, "use btc (base) or usdt (quote) for BTC/USDT"),
        ("buy 5 eth BTC/USDT mkt on a", 7, "unknown size unit 'eth'"),
        ("buy 150% BTC/USDT mkt on a", 5, "at most 100"),
        ("buy 1 BTC/USDT mkt on main alt", 28, "expected ',' between accounts or a flag"),
        ("buy 1 BTC/USDT mkt on main,", 28, "an account name, @tag or 'all' after ','"),
        ("buy 1 BTC/USDT mkt on", 22, "an account name, @tag or 'all' after 'on'"),
        ("buy 1 BTC/USDT mkt on @ perps", 25, "a tag name right after '@'"),
        ("buy 1 BTC/USDT mkt on all,main", 23, "'all' can't be combined"),
        ("buy 1 BTC/USDT mkt post on a", 20, "'post' needs a limit price"),
        ("buy 1 BTC/USDT mkt ioc on a", 20, "'ioc' needs a limit price"),
        ("buy 1 BTC/USDT stop 5 fok on a", 23, "'fok' needs a limit price"),
        (
            "buy 1 BTC/USDT @ 5 post ioc on a",
            25,
            "conflicting time-in-force flags 'post' and 'ioc'",
        ),
        ("buy 1 BTC/USDT @ 5 on a ioc fok", 29, "conflicting time-in-force flags"),
        ("buy 1 BTC/USDT stop 5 @ 4 post on a", 27, "post-only stop orders"),
        ("buy 1 BTC/USDT @ 5 reduce on a", 20, "'reduce' applies to perpetuals"),
        ("buy 1 BTC/USDT @ 5 dist=linear on a", 20, "'dist=' applies to ladders only"),
        ("buy 1 BTC/USDT @ 5 x3 on a", 20, "'x3' needs a price range"),
        ("buy 1 BTC/USDT @ 5..4 on a", 23, "expected a rung count like x5 after '5..4'"),
        ("buy 1 BTC/USDT @ 5..4 x0 on a", 23, "a ladder has 1 to 100 rungs"),
        ("buy 1 BTC/USDT @ 5..4 x101 on a", 23, "a ladder has 1 to 100 rungs"),
        ("buy 1 BTC/USDT @ 5..5 x3 on a", 18, "needs two different prices"),
        ("buy 1 BTC/USDT @ 5..x x3 on a", 18, "a price range like 63000..60000"),
        ("buy 1 BTC/USDT @ 5..4 x3 dist=wave on a", 31, "a distribution (flat, linear, exp"),
        ("buy 1 BTC/USDT @ 5..4 x3 dist=exp:11 on a", 31, "an exp factor is a number above 0"),
        ("buy 1 BTC/USDT @ 5..4 x3 dist linear on a", 31, "'=' after 'dist'"),
        ("buy 1 BTC/USDT @ 5..4 x3 stop 3 on a", 26, "stop orders can't be laddered"),
        ("buy 1 BTC/USDT stop 5 @ 4..3 x2 on a", 25, "stop orders can't be laddered"),
        ("cancel on main", 8, "expected 'all' or a symbol like BTC/USDT after 'cancel'"),
        ("cancel all main", 12, "expected 'on' followed by accounts"),
        ("close 50 BTC/USDT on a", 7, "expected a percentage like 50% after 'close'"),
        ("close 0% all on a", 7, "above 0 and at most 100"),
        ("close all on a post", 16, "expected ',' between accounts or the end of the statement"),
    ],
)
def test_error_messages_and_columns(text, col, message):
    e = err(text)
    assert e.col == col, e.render()
    assert message in str(e), e.render()
    assert e.source_line == text


def test_errors_of_every_line_are_reported_at_once():
    e = err("buy 1 A/B mkt on a\nfoo\nsell 1 A/B mkt on b\nbuy 1 A/B @ x on c")
    assert [(x.line, x.col) for x in e.errors] == [(2, 1), (4, 13)]
    rendered = e.render().splitlines()
    assert rendered[0].startswith("line 2, col 1:") and rendered[3].startswith("line 4, col 13:")


def test_column_of_second_statement_on_a_line():
    e = err("cancel all on a; buy 1 A/B @ q on b")
    assert (e.line, e.col, e.token) == (1, 30, "q")


def test_parse_statement_requires_exactly_one():
    with pytest.raises(ParseError, match="expected one statement, got nothing"):
        parse_statement("  # just a comment")
    with pytest.raises(ParseError, match="got 2 statements"):
        parse_statement("cancel all on a; cancel all on b")
