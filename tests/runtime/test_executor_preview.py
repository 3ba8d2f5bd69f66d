"""The preview: precision, notional, fee, balance after, blocks; nothing is sent."""

from decimal import Decimal as D

import pytest
from executor_helpers import session, venue_orders

from hedgetui.domain.orderlang import ParseError
from hedgetui.runtime.executor import BatchBlocked


async def test_preview_rounds_values_and_runs_the_balance(tmp_path):
    async with session(tmp_path) as ex:
        p = await ex.preview(
            "buy 0.012345678 BTC/USDT @ 94000.004 on main\nbuy 0.01 BTC/USDT @ 94500 on main",
            fetch=True,
        )
        first, second = p.order_rows
        req = first.order.request
        assert req.price == D("94000.00") and req.amount == D("0.01234")  # tick / step
        assert first.order.notional == D("0.01234") * D("94000.00")
        assert first.fee == first.order.notional * D("0.001")  # resting: maker fee
        assert first.balance_asset == "USDT"
        balances = await ex.exchanges["main"].fetch_balance()
        free = next(b.free for b in balances if b.asset == "USDT")  # minus the demo's bid
        assert first.balance_after == free - first.order.notional - first.fee
        assert second.balance_after == first.balance_after - D(945) - second.fee
        assert first.status == "ready" and not p.blocking_reasons()
        assert p.confirm.expected == "y" and not p.live_accounts
        assert first.client_id.startswith(f"htui-{p.batch_id}-")
        assert len(venue_orders(ex, "main")) == 2  # the demo's own; nothing sent
        assert await ex.store.journal() == []


async def test_taker_fee_for_market_and_crossing_orders(tmp_path):
    async with session(tmp_path) as ex:
        p = await ex.preview(
            "buy 0.01 BTC/USDT mkt on main\nbuy 0.01 BTC/USDT @ 95500 on main", fetch=True
        )
        mkt, crossing = p.order_rows
        assert mkt.order.notional == D("950.00") and mkt.fee == D("0.95")
        assert crossing.fee == crossing.order.notional * D("0.001")
        assert "execute at once" in crossing.message  # the expansion's warning is shown


async def test_blocks_from_the_exchange_rules_and_each_risk_limit(tmp_path):
    async with session(tmp_path, max_notional_per_order=D(5_000)) as ex:
        p = await ex.preview(
            "buy 0.00001 BTC/USDT @ 94000 on main\n"  # 0.94 USDT < min notional 5
            "buy 0.1 BTC/USDT @ 94000 on main\n"  # 9,400 > 5,000 per order
            "sell 0.1 ETH/USDT @ 4000 on main\n"  # 21% above last 3300
            "buy 1 SOL/USDT @ 190 on nobody",
            fetch=True,
        )
        small, big, band, issue = p.rows
        assert small.blocked and "minimum" in small.message and small.status == "blocked"
        assert "max_notional_per_order" in big.message
        assert "price band" in band.message
        assert issue.kind == "issue" and "unknown account 'nobody'" in issue.message
        assert len(p.blocking_reasons()) == 4
        with pytest.raises(BatchBlocked):
            await ex.submit(p)
        assert await ex.store.journal() == []  # a refused batch journals nothing


async def test_insufficient_balance_including_fee(tmp_path):
    async with session(tmp_path) as ex:
        # alt has 25,000 USDT: 0.26315 BTC at 95000 = 24,999.25 + 24.99 fee > 25,000
        p = await ex.preview("buy 0.26315 BTC/USDT @ 95000 on alt", fetch=True)
        (row,) = p.order_rows
        assert "including the estimated fee" in row.message and row.blocked


async def test_perp_balance_after_uses_margin_at_leverage(tmp_path):
    async with session(tmp_path) as ex:
        p = await ex.preview("buy 0.1 BTC/USDT:USDT @ 94000 on perps", fetch=True)
        (row,) = p.order_rows
        free = (await ex.exchanges["perps"].fetch_balance())[0].free
        lev = D(10)  # the demo's perps account (position leverage)
        assert row.balance_after == free - row.order.notional / lev - row.fee


async def test_parse_error_propagates_with_the_column(tmp_path):
    async with session(tmp_path) as ex:
        with pytest.raises(ParseError) as err:
            await ex.preview("buy 0.5 BTC/USDT @ abc on main")
        assert err.value.col == 20
