"""Parser properties: any text gives a Batch or a ParseError; valid batches round-trip."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from hedgetui.domain.models import OrderType, Side, TimeInForce
from hedgetui.domain.orderlang import (
    AccountSelector,
    Batch,
    CancelStmt,
    CloseStmt,
    Dist,
    Ladder,
    OrderStmt,
    ParseError,
    Size,
    SizeKind,
    parse,
)

# -- any text ------------------------------------------------------------------------------
WORDS = [
    "buy", "b", "sell", "s", "cancel", "close", "all", "on", "mkt", "market", "stop", "post",
    "reduce", "ioc", "fok", "gtc", "dist", "=", "linear", "exp:2", "exp:", "x5", "x0", "@",
    ",", ";", "#", "%", "..", "0.5", "64k", "1.5m", "64_000", "1000usdt", "10%", "0", "-1",
    "1e5", "BTC/USDT", "btc/usdt:usdt", "A/B", "/", ":", "main", "@perps", "63000..60000",
    "5..5", "\t", "\n", " ", "\r\n", "k", "usdt", "1.", ".", "_", "ÿ", "€", "\u2028", "\x00",
]  # fmt: skip


def _check(text: str) -> None:
    try:
        batch = parse(text)
    except ParseError as err:
        assert err.line >= 1 and err.col >= 1
        assert err.render()  # rendering never fails either
        for e in err.errors:
            assert e.line >= 1 and e.col >= 1
        return
    assert isinstance(batch, Batch)
    assert parse(batch.to_text()) == batch


@settings(max_examples=300)
@given(st.text(max_size=80))
def test_arbitrary_text_gives_batch_or_parse_error(text):
    _check(text)


@settings(max_examples=500)
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=4), max_size=14), st.booleans())
def test_token_soup_gives_batch_or_parse_error(words, spaced):
    _check((" " if spaced else "").join(words))


# -- valid statements ----------------------------------------------------------------------
COMMON = ["BTC", "ETH", "USDT", "USDC", "SOL", "KSM", "MKR", "1INCH", "1000PEPE", "EUR", "K"]
ccy = st.sampled_from(COMMON) | st.from_regex(r"[A-Z][A-Z0-9]{1,5}", fullmatch=True)
positive = st.decimals(min_value=D("0.00000001"), max_value=D(10**9), places=8)
percent = st.decimals(min_value=D("0.01"), max_value=D(100), places=2)
FLAG_WORDS = {"all", "post", "po", "ioc", "fok", "gtc", "reduce", "ro", "dist", "on"}
names = st.from_regex(r"[a-z][a-z0-9_.\-]{0,8}", fullmatch=True).filter(
    lambda n: n not in FLAG_WORDS
)


@st.composite
def symbols(draw, perp=None):
    base = draw(ccy)
    quote = draw(ccy.filter(lambda q: q != base))
    is_perp = draw(st.booleans()) if perp is None else perp
    return f"{base}/{quote}:{quote}" if is_perp else f"{base}/{quote}"


@st.composite
def selectors(draw):
    if draw(st.booleans()) and draw(st.booleans()):
        return AccountSelector(all=True)
    got = draw(st.lists(st.tuples(st.booleans(), names), min_size=1, max_size=4))
    return AccountSelector(
        names=tuple(n for is_tag, n in got if not is_tag),
        tags=tuple(n for is_tag, n in got if is_tag),
    )


@st.composite
def order_stmts(draw):
    symbol = draw(symbols())
    base, quote = symbol.split(":")[0].split("/")
    kind = draw(st.sampled_from(list(SizeKind)))
    if kind is SizeKind.PERCENT:
        size = Size(kind, draw(percent))
    else:
        size = Size(kind, draw(positive), base if kind is SizeKind.BASE else quote)
    type_ = draw(st.sampled_from(list(OrderType)))
    price = stop = ladder = None
    if type_ is OrderType.LIMIT and draw(st.booleans()):
        start, end = draw(positive), draw(positive)
        count = draw(st.integers(1, 100)) if start != end else 1
        dist = draw(st.sampled_from(list(Dist)))
        factor = None
        if dist is Dist.EXP and draw(st.booleans()):
            factor = draw(st.decimals(min_value=D("0.01"), max_value=D(10), places=2))
        ladder = Ladder(start, end, count, dist, factor)
    elif type_.has_price:
        price = draw(positive)
    if type_.is_stop:
        stop = draw(positive)
    tifs = [TimeInForce.GTC]
    if type_.has_price:
        tifs += [TimeInForce.IOC, TimeInForce.FOK]
    if type_ is OrderType.LIMIT:
        tifs.append(TimeInForce.PO)
    return OrderStmt(
        side=draw(st.sampled_from(list(Side))),
        size=size,
        symbol=symbol,
        type=type_,
        accounts=draw(selectors()),
        price=price,
        ladder=ladder,
        stop_price=stop,
        time_in_force=draw(st.sampled_from(tifs)),
        reduce_only=":" in symbol and draw(st.booleans()),
    )


cancel_stmts = st.builds(
    CancelStmt, selectors(), st.none() | symbols(), st.none() | st.sampled_from(list(Side))
)
close_stmts = st.builds(CloseStmt, selectors(), st.none() | symbols(), percent)
statements = st.one_of(order_stmts(), cancel_stmts, close_stmts)


@settings(max_examples=150)
@given(st.lists(statements, min_size=1, max_size=4))
def test_generated_statements_round_trip(stmts):
    batch = Batch(tuple(stmts))
    text = batch.to_text()
    assert parse(text) == batch
    # the same batch on one line with ';' and comments parses the same way
    assert parse("; ".join(text.splitlines()) + "  # note") == batch


def _noisy(draw, stmt: OrderStmt) -> str:
    """A hand-typed variant: synonyms, odd casing, flags after 'on', no space after '@'."""
    text = stmt.to_text()
    side, rest = text.split(" ", 1)
    side = draw(st.sampled_from({"buy": ["buy", "b", "BUY"], "sell": ["sell", "s", "Sell"]}[side]))
    rest = rest.replace(" mkt", draw(st.sampled_from([" mkt", " market", " MKT"])))
    if draw(st.booleans()):
        rest = rest.replace("@ ", "@")
    flags = [f for f in ("post", "ioc", "fok", "reduce") if f" {f} " in f" {rest} "]
    if flags and draw(st.booleans()):
        for f in flags:
            rest = rest.replace(f" {f} ", " ", 1)
        rest += " " + " ".join(f.upper() for f in flags)
    return f"{side} {rest.replace(',', ', ')}"


@settings(max_examples=150)
@given(st.data())
def test_hand_typed_variants_parse_to_the_same_statement(data):
    stmt = data.draw(order_stmts())
    assert parse(_noisy(data.draw, stmt)).statements == (stmt,)
