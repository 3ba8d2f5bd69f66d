"""Fixtures for the ccxt adapter tests: a local Binance-compatible server on 127.0.0.1:0,
backed by a seeded paper venue, and adapters pointed at it through ``api_url``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedgetui.domain.clock import ManualClock
from hedgetui.exchanges.base import Priority
from hedgetui.exchanges.binance_server import start_server
from hedgetui.exchanges.ccxt_adapter import CcxtExchange
from hedgetui.exchanges.paper import PaperVenue

API_KEY = "hedgetuiTESTkey7Qw3Zr9Lm2Xv5"
SECRET = "hedgetuiTESTsecretN4b8Jp1Ks6Ty0Wc"
ACCOUNT = "live"
START = 1_767_225_600_000  # 2026-01-01T00:00Z


class RecordingGate:
    """A RequestGate that lets everything through and remembers what it was asked."""

    def __init__(self) -> None:
        self.acquired: list[tuple[float, Priority, str | None, int]] = []
        self.penalties: list[tuple[float, int, str]] = []

    async def acquire(
        self, weight: float, *, priority: Priority, account: str | None, orders: int = 0
    ) -> None:
        self.acquired.append((weight, priority, account, orders))

    def penalize(self, retry_after_s: float, *, status: int, reason: str) -> None:
        self.penalties.append((retry_after_s, status, reason))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def venue(clock: ManualClock) -> PaperVenue:
    v = PaperVenue(clock, seed=7)
    v.add_account(ACCOUNT, {"USDT": Decimal(100_000), "BTC": Decimal(2), "ETH": Decimal(10)})
    return v


@pytest.fixture
async def server(venue: PaperVenue):
    _url, srv = await start_server(venue, {API_KEY: (SECRET, ACCOUNT)})
    try:
        yield srv
    finally:
        await srv.close()


@pytest.fixture
async def make_exchange(server):
    """make_exchange(**kw) -> CcxtExchange on the local server (closed after the test)."""
    made: list[CcxtExchange] = []

    def make(**kw) -> CcxtExchange:
        kw.setdefault("credentials", {"apiKey": API_KEY, "secret": SECRET})
        kw.setdefault("api_url", server.url)
        kw.setdefault("gate", RecordingGate())
        ex = CcxtExchange("binance", kw.pop("account", ACCOUNT), **kw)
        made.append(ex)
        return ex

    try:
        yield make
    finally:
        for ex in made:
            await ex.close()


@pytest.fixture
async def ex(make_exchange) -> CcxtExchange:
    return make_exchange()
