"""An alert arming a saved order batch (``... arm NAME [auto]``) on the paper demo: armed and
not sent until confirmed, sent exactly once, discarded, ``auto`` on paper, ``auto`` held back
on live accounts unless ``[alerts] allow_live_auto``, a missing template, risk blocks."""

import asyncio
import dataclasses
from decimal import Decimal

import pytest
from test_alert_engine import START, Session, _alerts_service, wait_for  # noqa: F401

from hedgetui.domain.clock import ManualClock
from hedgetui.runtime.alert_arming import ARMED, FAILED, SENT

SMALL = "buy 0.01 BTC/USDT @ 93000 on main"  # 2 % under the demo's 95,000: inside the band
TOO_BIG = "buy 1 BTC/USDT @ 93000 on main"  # 93,000 USDT > risk.max_notional_per_order


def venue_orders(s, account="main"):
    acct = s.venue.accounts[account]
    return {**acct.open, **acct.closed}


async def armed(s, rid):
    await wait_for(lambda: rid in s.engine.armed)
    return s.engine.armed[rid]


async def fire(s, options):
    """A rule that is true at once (fires when added), with ``options``; its batch."""
    rid = await s.add(f"BTC/USDT > {s.price() / 2:.2f} {options}")
    return rid, await armed(s, rid)


async def test_armed_batch_waits_then_confirm_sends_exactly_once(tmp_path):
    async with Session(tmp_path, ManualClock(START)) as s:
        executor = s.runtime.services["executor"]
        await executor.save_template("dip", SMALL)
        before = set(venue_orders(s))
        rid, batch = await fire(s, "arm dip")
        assert batch.status == ARMED and batch.waiting
        assert batch.message == "1 order armed, confirm to send"
        assert batch.template == "dip" and batch.event.rule_id == rid
        await asyncio.sleep(0.05)
        assert set(venue_orders(s)) == before  # armed is not sent
        # two confirmations at once (a double key press): one sends, the other finds none
        results = await asyncio.gather(
            s.engine.confirm_armed(rid), s.engine.confirm_armed(rid), return_exceptions=True
        )
        sent = [r for r in results if not isinstance(r, BaseException)]
        refused = [r for r in results if isinstance(r, KeyError)]
        assert len(sent) == 1 and len(refused) == 1
        assert sent[0].status == SENT and sent[0].message.startswith("sent 1 order (")
        new = set(venue_orders(s)) - before
        assert len(new) == 1
        (order,) = (venue_orders(s)[k] for k in new)
        assert order.client_id == batch.preview.order_rows[0].client_id
        assert (order.amount, order.price) == (Decimal("0.01"), Decimal("93000"))
        with pytest.raises(KeyError, match=f"no order batch is armed by alert #{rid}"):
            await s.engine.confirm_armed(rid)
        assert set(venue_orders(s)) - before == new  # still exactly one order


async def test_discard_sends_nothing_and_cannot_be_confirmed(tmp_path):
    async with Session(tmp_path, ManualClock(START)) as s:
        await s.runtime.services["executor"].save_template("dip", SMALL)
        before = set(venue_orders(s))
        rid, batch = await fire(s, "arm dip")
        dropped = s.engine.discard_armed(rid)
        assert dropped.status == "discarded" and dropped.preview is None
        with pytest.raises(KeyError):
            await s.engine.confirm_armed(rid)
        with pytest.raises(KeyError):
            s.engine.discard_armed(rid)
        assert set(venue_orders(s)) == before


async def test_auto_on_paper_sends_at_once(tmp_path):
    async with Session(tmp_path, ManualClock(START)) as s:
        await s.runtime.services["executor"].save_template("dip", SMALL)
        before = set(venue_orders(s))
        rid, batch = await fire(s, "arm dip auto")
        assert batch.status == SENT, batch.message
        assert len(set(venue_orders(s)) - before) == 1
        with pytest.raises(KeyError):  # nothing left to confirm
            await s.engine.confirm_armed(rid)


def as_live(executor, account="main"):
    """Make the executor's previews classify ``account`` as a live account, the only input
    the arming decision reads (``Preview.live_accounts``); orders still go to paper."""
    real = executor.preview

    async def preview(text, **kw):
        p = await real(text, **kw)
        for r in p.rows:
            if r.account == account:
                r.is_paper = False
        return dataclasses.replace(p, live_accounts=(account,))

    executor.preview = preview


@pytest.mark.parametrize("allow", [False, True])
async def test_auto_on_a_live_account_needs_allow_live_auto(tmp_path, allow):
    session = Session(tmp_path, ManualClock(START))
    alerts = session.config.alerts.model_copy(update={"allow_live_auto": allow})
    session.config = session.config.model_copy(update={"alerts": alerts})
    async with session as s:
        executor = s.runtime.services["executor"]
        as_live(executor)
        await executor.save_template("dip", SMALL)
        before = set(venue_orders(s))
        rid, batch = await fire(s, "arm dip auto")
        if allow:
            assert batch.status == SENT, batch.message
            assert len(set(venue_orders(s)) - before) == 1
        else:
            assert batch.status == ARMED
            assert "not sent automatically: live account(s) main" in batch.message
            assert "allow_live_auto = true" in batch.message
            await asyncio.sleep(0.05)
            assert set(venue_orders(s)) == before
            await s.engine.confirm_armed(rid)  # the trader may still send it by hand
            assert batch.status == SENT
            assert len(set(venue_orders(s)) - before) == 1


async def test_missing_template_fails_with_a_clear_message(tmp_path):
    async with Session(tmp_path, ManualClock(START)) as s:
        await s.runtime.services["executor"].save_template("dip", SMALL)
        rid, batch = await fire(s, "arm nosuch auto")
        assert batch.status == FAILED and not batch.waiting
        assert batch.message == "not armed: no template named 'nosuch' (saved: dip)"
        with pytest.raises(KeyError):
            await s.engine.confirm_armed(rid)


async def test_a_batch_blocked_by_risk_is_never_sent_automatically(tmp_path):
    async with Session(tmp_path, ManualClock(START)) as s:
        await s.runtime.services["executor"].save_template("big", TOO_BIG)
        before = set(venue_orders(s))
        rid, batch = await fire(s, "arm big auto")
        assert batch.status == ARMED
        assert batch.message.startswith(
            "1 order armed, blocked, fix before confirming: line 1 main"
        )
        await asyncio.sleep(0.05)
        assert set(venue_orders(s)) == before
        # confirming by hand still refuses: the executor will not send blocked rows
        done = await s.engine.confirm_armed(rid)
        assert done.status == FAILED and "block this batch" in done.message
        assert set(venue_orders(s)) == before


async def test_a_second_firing_does_not_stack_a_second_batch(tmp_path):
    async with Session(tmp_path, ManualClock(START)) as s:
        await s.runtime.services["executor"].save_template("dip", SMALL)
        rid, first = await fire(s, "arm dip repeat 1s")
        (event,) = [e for e in s.events if e.rule_id == rid]
        await s.engine._arm_now(event)  # the rule fires again while its batch waits
        assert s.engine.armed[rid] is first and first.waiting
        await s.engine.confirm_armed(rid)
        await s.engine._arm_now(event)  # once sent, a new firing arms a new batch
        assert s.engine.armed[rid] is not first and s.engine.armed[rid].waiting
