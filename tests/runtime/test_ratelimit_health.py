"""The rate-limit health record (``limit:<exchange>``) and its reading back for the Health
pane: what RateLimiter.describe() writes is what limit_view() reads."""

from __future__ import annotations

import logging

from hedgetui.domain import HealthState, PollerHealth
from hedgetui.exchanges.base import Priority
from hedgetui.exchanges.limits import limits_for
from hedgetui.runtime.limits_health import is_limit, limit_view, limiter_record
from hedgetui.runtime.ratelimit import RateLimiter

NOW = 1_767_225_600_000


async def test_headroom_record_reads_back_as_numbers():
    limiter = RateLimiter(limits_for("binance"), ip_key="127.0.0.1")
    for _ in range(3):
        await limiter.acquire(20, priority=Priority.MARKET, account=None)
    record = limiter_record(limiter, "limit:binance", NOW)
    assert is_limit(record) and record.state is HealthState.OK
    view = limit_view(record)
    main = limiter.headroom()[0]
    assert (view.key, view.exchange) == ("limit:binance", "binance (127.0.0.1)")
    assert (view.used, view.limit) == (60, round(main.limit))
    assert view.unit == "weight/min" and view.fraction == 60 / round(main.limit)
    assert (view.paused_s, view.waiting, view.waiting_orders, view.note) == (0, 0, 0, "")


async def test_a_paused_limiter_reads_back_its_pause_and_reason(caplog):
    caplog.set_level(logging.ERROR)  # penalize logs a warning; not what is tested
    limiter = RateLimiter(limits_for("binance"))
    limiter.penalize(30, status=429, reason="binance answered HTTP 429 code -1003")
    record = limiter_record(limiter, "limit:binance", NOW)
    assert record.state is HealthState.BACKOFF
    view = limit_view(record)
    assert view.exchange == "binance" and 29 <= view.paused_s <= 30
    assert view.note == "binance answered HTTP 429 code -1003"
    assert view.used == 0 and view.limit and view.fraction == 0


def test_pollers_are_not_limits_and_unknown_text_is_kept_whole():
    poller = PollerHealth("account:main:balances", "binance", "balances")
    assert not is_limit(poller)
    odd = PollerHealth("limit:okx", "okx", "rate limit", last_error="okx: something new")
    view = limit_view(odd)
    assert is_limit(odd) and view.exchange == "okx" and view.used is None
    assert view.fraction is None and view.note == "okx: something new"
