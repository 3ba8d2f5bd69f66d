"""An alert arming a saved order batch on a REAL live account: a Runtime whose config has a
`exchange = "binance"` account pointed at the local Binance-compatible server (through ccxt)
next to a paper account. What reached the exchange is read from the server itself (the
requests it received and its order book), not from our own status.

* ``auto`` on the live account with the default config: armed, nothing sent, and the message
  names the account and the setting that allows it; confirming sends it exactly once;
* ``[alerts] allow_live_auto = true``: sent at once, exactly once;
* ``auto`` on a paper-only batch: sent at once even without ``allow_live_auto``.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

# the live-runtime helpers live with the exchange tests (tests have no __init__.py)
sys.path.append(str(Path(__file__).resolve().parents[1] / "exchanges"))

import pytest
from live_runtime_helpers import (
    START,
    config_toml,
    env_for,
    load,
    server_accounts,
    venue_with,
    wait_for,
)

from hedgetui.domain.alerts import parse_rule
from hedgetui.domain.clock import ManualClock
from hedgetui.exchanges.binance_server import start_server
from hedgetui.runtime.alert_arming import ARMED, SENT
from hedgetui.runtime.engine import Runtime
from hedgetui.store import Store
from hedgetui.store import alerts as store_alerts

LIVE, PAPER = "desk", "sim"  # the binance account (on the local server) and the paper one
SYMBOL = "BTC/USDT"
ORDER_PATH = "/api/v3/order"


def extra(allow_live_auto: bool) -> str:
    return f"""
[[accounts]]
name = "{PAPER}"
exchange = "paper"
balances = {{ USDT = 20000 }}

[alerts]
desktop = false
allow_live_auto = {str(allow_live_auto).lower()}
"""


def limit_below(venue, pct: str = "0.98") -> Decimal:
    """A limit buy price 2 % under the venue's last: inside the risk band, rests open."""
    m = venue.market(SYMBOL)
    return m.market.round_price(m.last_decimal * Decimal(pct))


class LiveSession:
    """Server + Runtime (pollers, executor, alert engine) + store; all closed on exit."""

    def __init__(self, tmp_path: Path, *, allow_live_auto: bool = False) -> None:
        self.tmp_path, self.allow = tmp_path, allow_live_auto
        self.clock = ManualClock(START)

    async def __aenter__(self) -> LiveSession:
        self.server_venue = venue_with(self.clock, (LIVE,))
        url, self.server = await start_server(self.server_venue, server_accounts((LIVE,)))
        self.runtime = self.store = None
        try:
            cfg = load(
                self.tmp_path,
                config_toml(
                    url,
                    (LIVE,),
                    db=self.tmp_path / "live.db",
                    interval=0.3,
                    candles=30.0,
                    extra=extra(self.allow),
                ),
                env_for((LIVE,)),
            )
            assert cfg.alerts.allow_live_auto is self.allow
            self.store = await Store.open(cfg.resolved_db_path())
            self.runtime = Runtime(cfg, self.store, clock=self.clock)
            self.runtime.service_stop_s = 2.0  # a missed cancel costs 2 s, not 12 s
            await self.runtime.start()
            self.engine = self.runtime.services["alerts"]
            self.executor = self.runtime.services["executor"]
            await wait_for(self._data_in)  # the rule and the previews read the store
            await wait_for(self.executor.reconcile_done.is_set)
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc) -> None:
        try:
            if self.runtime is not None:
                await self.runtime.stop()
        finally:
            try:
                if self.store is not None:
                    await self.store.close()
            finally:
                await self.server.close()

    async def _data_in(self) -> bool:
        balances = {b.account for b in await self.store.balances()}
        tickers = {t.symbol for t in await self.store.tickers("binance")}
        return {LIVE, PAPER} <= balances and SYMBOL in tickers

    @property
    def paper_venue(self):
        return self.runtime.exchanges.venue

    # what the exchange side holds / received --------------------------------------------
    def server_orders(self) -> dict:
        acct = self.server_venue.account(LIVE)
        return {**acct.open, **acct.closed}

    def order_posts(self) -> list:
        return self.server.seen(ORDER_PATH, "POST")

    def paper_orders(self) -> dict:
        acct = self.paper_venue.account(PAPER)
        return {**acct.open, **acct.closed}

    # alerts ------------------------------------------------------------------------------
    async def fire(self, options: str):
        """A rule true at once (fires when the engine loads it) with ``options``; its id and
        the batch it armed."""
        last = (await self.store.tickers("binance"))[0].last
        text = f"binance:{SYMBOL} > {last / 2:.2f} {options}"
        parse_rule(text, now_ms=self.clock.now_ms())  # a typo fails here, not as a timeout
        rid = await store_alerts.add_rule(self.store, text, now_ms=self.clock.now_ms())
        await self.engine.reload()
        await wait_for(lambda: rid in self.engine.armed)
        return rid, self.engine.armed[rid]

    async def a_poll_later(self) -> None:
        """Wait until the live account was polled again: the runtime kept running after the
        decision, so a late send would have happened by now (no fixed sleep)."""
        seen = len(self.server.seen("/api/v3/openOrders", "GET"))
        await wait_for(lambda: len(self.server.seen("/api/v3/openOrders", "GET")) > seen + 1)


async def test_auto_on_a_live_account_waits_for_confirmation_then_sends_once(tmp_path):
    async with LiveSession(tmp_path) as s:
        price = limit_below(s.server_venue)
        await s.executor.save_template("dip", f"buy 0.01 {SYMBOL} @ {price} on {LIVE}")
        rid, batch = await s.fire("arm dip auto")

        # (a) armed, not sent: the server received no order and holds none
        assert batch.status == ARMED and batch.waiting, batch.message
        assert batch.message == (
            f"1 order armed, not sent automatically: live account(s) {LIVE} "
            "(allow with [alerts] allow_live_auto = true)"
        )
        assert batch.preview.live_accounts == (LIVE,)
        await s.a_poll_later()
        assert s.order_posts() == []
        assert s.server_orders() == {}

        # (b) the trader confirms: exactly one order reaches the exchange
        done = await s.engine.confirm_armed(rid)
        assert done.status == SENT, done.message
        assert done.message.startswith("sent 1 order (")
        (row,) = done.preview.order_rows
        assert row.status == "open" and row.order_id, (row.status, row.message)
        (post,) = s.order_posts()
        assert post.params["newClientOrderId"] == row.client_id
        (order,) = s.server_orders().values()
        assert order.id == row.order_id and order.client_id == row.client_id
        assert (order.side.value, order.amount, order.price) == ("buy", Decimal("0.01"), price)
        # a second confirmation finds nothing to send
        with pytest.raises(KeyError, match=f"no order batch is armed by alert #{rid}"):
            await s.engine.confirm_armed(rid)
        await s.a_poll_later()
        assert len(s.order_posts()) == 1 and len(s.server_orders()) == 1
        assert s.paper_orders() == {}


async def test_allow_live_auto_sends_a_live_batch_at_once_exactly_once(tmp_path):
    async with LiveSession(tmp_path, allow_live_auto=True) as s:
        price = limit_below(s.server_venue)
        await s.executor.save_template("dip", f"buy 0.01 {SYMBOL} @ {price} on {LIVE}")
        rid, batch = await s.fire("arm dip auto")

        # (c) sent when the alert fired, without a confirmation
        assert batch.status == SENT, batch.message
        assert batch.message.startswith("sent 1 order (")
        (row,) = batch.preview.order_rows
        (post,) = s.order_posts()
        assert post.params["newClientOrderId"] == row.client_id
        (order,) = s.server_orders().values()
        assert (order.client_id, order.amount, order.price) == (
            row.client_id,
            Decimal("0.01"),
            price,
        )
        with pytest.raises(KeyError):  # nothing waits for a confirmation
            await s.engine.confirm_armed(rid)
        await s.a_poll_later()
        assert len(s.order_posts()) == 1 and len(s.server_orders()) == 1


async def test_a_large_live_batch_keeps_its_confirmation_even_with_allow_live_auto(tmp_path):
    async with LiveSession(tmp_path, allow_live_auto=True) as s:
        price = limit_below(s.server_venue)
        # ~4,600 USDT: above the first risk.confirm_live_above threshold (1,000)
        await s.executor.save_template("big", f"buy 0.05 {SYMBOL} @ {price} on {LIVE}")
        rid, batch = await s.fire("arm big auto")
        assert batch.status == ARMED, batch.message
        assert "above risk.confirm_live_above; confirm to send" in batch.message
        await s.a_poll_later()
        assert s.order_posts() == [] and s.server_orders() == {}
        done = await s.engine.confirm_armed(rid)
        assert done.status == SENT, done.message
        assert len(s.order_posts()) == 1


async def test_auto_on_a_paper_only_batch_sends_at_once_without_allow_live_auto(tmp_path):
    async with LiveSession(tmp_path) as s:
        price = limit_below(s.paper_venue)
        await s.executor.save_template("paper-dip", f"buy 0.01 {SYMBOL} @ {price} on {PAPER}")
        rid, batch = await s.fire("arm paper-dip auto")

        # (d) a paper-only batch needs no consent: sent at once, on the paper venue only
        assert batch.status == SENT, batch.message
        assert batch.preview.live_accounts == ()
        (row,) = batch.preview.order_rows
        (order,) = s.paper_orders().values()
        assert (order.client_id, order.amount, order.price) == (
            row.client_id,
            Decimal("0.01"),
            price,
        )
        with pytest.raises(KeyError):
            await s.engine.confirm_armed(rid)
        await s.a_poll_later()
        assert s.order_posts() == [] and s.server_orders() == {}
        assert len(s.paper_orders()) == 1
