"""Submission: journal first, concurrent per account, failures isolated, retry by client id,
reconciliation, kill switch, templates."""

import asyncio
from decimal import Decimal as D

import pytest
from executor_helpers import session, venue_orders

from hedgetui.domain import JournalEntry, OrderRequest, OrderStatus, OrderType, Side
from hedgetui.domain.orderlang import ParseError
from hedgetui.exchanges.errors import ExchangeNotAvailable, InsufficientFunds, RequestTimeout
from hedgetui.runtime.reconcile import NEVER_REACHED

LADDERS = "buy 1000usdt BTC/USDT @ 94000..92000 x5 on main,alt"


def wrap_create(executor, account, before=None, after=None):
    """Wrap one PaperExchange instance's create_order (our class, not ccxt)."""
    ex = executor.exchanges[account]
    original = ex.create_order
    calls = []

    async def create_order(request):
        calls.append(request.client_id)
        if before is not None:
            await before(request)
        order = await original(request)
        if after is not None:
            await after(request, order)
        return order

    ex.create_order = create_order
    return calls


async def test_journal_is_written_before_each_send(tmp_path):
    async with session(tmp_path) as ex:
        seen = {}

        async def before(request):
            journal = {e.client_id: e for e in await ex.store.journal()}
            seen[request.client_id] = journal[request.client_id].status

        wrap_create(ex, "main", before)
        wrap_create(ex, "alt", before)
        p = await ex.preview(LADDERS, fetch=True)
        statuses = []
        await ex.submit(p, lambda r: statuses.append((r.key, r.status)))
        assert len(seen) == 10 and set(seen.values()) == {OrderStatus.PENDING}
        assert all(r.status == "open" and r.order_id for r in p.order_rows)
        journal = await ex.store.journal(batch_id=p.batch_id)
        assert [e.status for e in journal] == [OrderStatus.OPEN] * 10
        assert all(e.attempts == 1 and e.order_id for e in journal)
        # each row went queued -> sending -> open
        first = p.order_rows[0].key
        assert [s for k, s in statuses if k == first] == ["queued", "sending", "open"]
        # the store has the orders, the paper venue on disk too
        await ex.store.flush()
        stored = {o.client_id for o in await ex.store.orders()}
        assert {r.client_id for r in p.order_rows} <= stored
        snap = await ex.store.load_snapshot("paper-venue")
        on_disk = {o["client_id"] for o in snap["accounts"]["alt"]["open_orders"]}
        assert {r.client_id for r in p.order_rows if r.account == "alt"} <= on_disk


async def test_one_failing_account_never_blocks_the_others(tmp_path):
    async with session(tmp_path) as ex:

        async def refuse(request):
            raise InsufficientFunds("binance Account has insufficient balance")

        async def down(request):
            raise ExchangeNotAvailable("503 Service Unavailable")

        wrap_create(ex, "alt", refuse)
        p = await ex.preview(LADDERS + "\nsell 0.1 BTC/USDT:USDT mkt on perps", fetch=True)
        wrap_create(ex, "perps", down)
        perps = ex.exchanges["perps"]
        perps.fetch_order = _raise(ExchangeNotAvailable("503"))  # the lookup fails too
        await ex.submit(p)
        by = {}
        for r in p.order_rows:
            by.setdefault(r.account, set()).add(r.status)
        assert by == {"main": {"open"}, "alt": {"rejected"}, "perps": {"unknown"}}
        alt = next(r for r in p.order_rows if r.account == "alt")
        assert "insufficient balance" in alt.message  # the exchange's own words
        perp = next(r for r in p.order_rows if r.account == "perps")
        assert "retry" in perp.message
        journal = {e.client_id: e for e in await ex.store.journal()}
        assert journal[alt.client_id].status is OrderStatus.REJECTED
        assert journal[perp.client_id].status is OrderStatus.UNKNOWN


def _raise(exc):
    async def fn(*a, **k):
        raise exc

    return fn


async def test_lost_reply_is_found_by_client_id_not_resent(tmp_path):
    async with session(tmp_path) as ex:

        async def lost(request, order):
            raise RequestTimeout("read timeout")  # placed, but the reply never came

        calls = wrap_create(ex, "main", after=lost)
        p = await ex.preview("buy 0.01 BTC/USDT @ 94000 on main", fetch=True)
        await ex.submit(p)
        (row,) = p.order_rows
        assert row.status == "open" and row.order_id and len(calls) == 1


async def test_retry_reuses_the_client_id_and_never_duplicates(tmp_path):
    async with session(tmp_path) as ex:
        fail = {"n": 1}

        async def flaky(request):
            if fail["n"]:
                fail["n"] -= 1
                raise RequestTimeout("timeout before reaching the exchange")

        calls = wrap_create(ex, "main", flaky)
        p = await ex.preview("buy 0.01 BTC/USDT @ 94000 on main", fetch=True)
        await ex.submit(p)
        (row,) = p.order_rows
        assert row.status == "unknown"
        await ex.retry(p, row.key)
        assert row.status == "open" and calls == [row.client_id, row.client_id]
        # a second retry is refused (the order is open) and would find it anyway
        with pytest.raises(ValueError):
            await ex.retry(p, row.key)
        mine = [o for o in venue_orders(ex, "main") if o.client_id == row.client_id]
        assert len(mine) == 1
        (entry,) = await ex.store.journal(batch_id=p.batch_id)
        assert entry.status is OrderStatus.OPEN and entry.attempts == 2


async def test_retry_takes_over_an_order_the_exchange_already_has(tmp_path):
    async with session(tmp_path) as ex:

        async def lost(request, order):
            raise RequestTimeout("timeout")

        calls = wrap_create(ex, "main", after=lost)
        main = ex.exchanges["main"]
        real_fetch = main.fetch_order
        main.fetch_order = _raise(ExchangeNotAvailable("503"))
        p = await ex.preview("buy 0.01 BTC/USDT @ 94000 on main", fetch=True)
        await ex.submit(p)
        (row,) = p.order_rows
        assert row.status == "unknown"
        main.fetch_order = real_fetch
        await ex.retry(p, row.key)
        assert row.status == "open" and len(calls) == 1  # found: not sent again


async def test_reconcile_settles_every_unfinished_entry(tmp_path):
    async with session(tmp_path) as ex:
        placed = OrderRequest("BTC/USDT", Side.BUY, OrderType.LIMIT, D("0.01"), "r-1", D(94000))
        await ex.exchanges["main"].create_order(placed)  # sent, then "crashed"
        never = OrderRequest("BTC/USDT", Side.BUY, OrderType.LIMIT, D("0.01"), "r-2", D(93000))
        gone = OrderRequest("BTC/USDT", Side.BUY, OrderType.LIMIT, D("0.01"), "r-3", D(92000))
        await ex.store.journal_add(
            [
                JournalEntry("r-1", "b", "main", placed),
                JournalEntry("r-2", "b", "main", never),
                JournalEntry("r-3", "b", "main", gone, status=OrderStatus.OPEN, order_id="77"),
            ]
        )
        results = await ex.reconcile()
        assert [(r.entry.client_id, r.status) for r in results] == [
            ("r-1", OrderStatus.OPEN),
            ("r-2", OrderStatus.REJECTED),
            ("r-3", OrderStatus.CANCELED),
        ]
        assert results[1].message == NEVER_REACHED
        journal = {e.client_id: e for e in await ex.store.journal()}
        assert journal["r-1"].order_id and journal["r-2"].status is OrderStatus.REJECTED
        assert [r.entry.client_id for r in await ex.reconcile()] == ["r-1"]  # still open
        assert sum(o.client_id == "r-2" for o in venue_orders(ex, "main")) == 0  # never sent


async def test_cancel_rows_run_in_order_within_an_account(tmp_path):
    async with session(tmp_path) as ex:
        p = await ex.preview("cancel all on alt\nbuy 1 SOL/USDT @ 185 on alt", fetch=True)
        await ex.submit(p)
        cancel, buy = p.action_rows
        assert cancel.status == "done" and "canceled 1" in cancel.message
        assert buy.status == "open"
        open_now = await ex.exchanges["alt"].fetch_open_orders()
        assert [o.client_id for o in open_now] == [buy.client_id]


async def test_skip_blocked_sends_the_rest(tmp_path):
    async with session(tmp_path) as ex:
        p = await ex.preview(
            "buy 0.00001 BTC/USDT @ 94000 on main\nbuy 0.01 BTC/USDT @ 94000 on main", fetch=True
        )
        await ex.submit(p, skip_blocked=True)
        assert [r.status for r in p.order_rows] == ["skipped", "open"]
        assert len(await ex.store.journal()) == 1
        with pytest.raises(ValueError):
            await ex.submit(p)  # a preview is sent once


async def test_kill_switch_cancels_and_flattens(tmp_path):
    async with session(tmp_path) as ex:
        results = await ex.cancel_all(["perps", "main"], flatten=True)
        perps, main = results
        assert len(perps.canceled) == 3 and len(main.canceled) == 2
        assert perps.flattened and perps.flattened[0][:2] == ("BTC/USDT:USDT", "filled")
        assert main.flattened == [] and perps.ok and main.ok
        assert await ex.exchanges["perps"].fetch_positions() == []
        assert await ex.exchanges["main"].fetch_open_orders() == []
        kill = [e for e in await ex.store.journal() if e.client_id.startswith("kill-")]
        assert len(kill) == 1 and kill[0].request.reduce_only
        assert await ex.exchanges["alt"].fetch_open_orders()  # not in scope: untouched


async def test_templates_round_trip(tmp_path):
    async with session(tmp_path) as ex:
        await ex.save_template("btc-ladder", LADDERS)
        await ex.save_template("eth", "sell 1 ETH/USDT @ 3400 on main")
        assert [t.name for t in await ex.list_templates()] == ["btc-ladder", "eth"]
        await ex.save_template("eth", "sell 2 ETH/USDT @ 3400 on main")  # edit
        assert (await ex.load_template("ETH")).text.startswith("sell 2")
        with pytest.raises(ParseError):
            await ex.save_template("bad", "buy 1 BTC/USDT @ x on main")
        with pytest.raises(ValueError):
            await ex.save_template("has space", LADDERS)
        assert await ex.delete_template("eth") and not await ex.delete_template("eth")
        p = await ex.preview((await ex.load_template("btc-ladder")).text, fetch=True)
        assert len(p.order_rows) == 10


async def test_pace_spaces_sends_per_account(tmp_path):
    async with session(tmp_path, max_orders_per_second=2.0) as ex:
        loop = asyncio.get_running_loop()
        times = []

        async def stamp(request):
            times.append(loop.time())

        wrap_create(ex, "main", stamp)
        p = await ex.preview("buy 100usdt BTC/USDT @ 94000..93000 x3 on main", fetch=True)
        await ex.submit(p)
        assert times[2] - times[0] >= 0.95  # 2 per second: the third waits a second
