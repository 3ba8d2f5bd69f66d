"""The runtime: builds exchanges from the config, starts one supervised poller per
(account, feed) and per (exchange, market feed), and wires store commits onto the bus.

Used by ``hedgetui collect`` and by the TUI (unless ``--attach``), so both run the same loop.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from dataclasses import dataclass, field

from hedgetui.config import Config
from hedgetui.domain import Changed
from hedgetui.domain.clock import Clock, SystemClock
from hedgetui.exchanges.base import Exchange
from hedgetui.runtime.accounts import PAPER_SNAPSHOT_KEY, ExchangeSet, build_exchanges
from hedgetui.runtime.bus import Bus
from hedgetui.runtime.pollers import AccountPoller, MarketPoller
from hedgetui.runtime.supervisor import (
    STOP_TIMEOUT_S,
    HealthRecorder,
    Job,
    Supervisor,
    cancel_and_wait,
    finish_within,
)
from hedgetui.store import Store

log = logging.getLogger(__name__)

ACCOUNT_FEEDS = ("balances", "positions", "orders", "fills")
# Services started with the pollers (order executor, alert engine, ...): each module named
# here has ``create(runtime) -> service`` where the service has ``name`` and async
# ``start()``/``stop()``; it is reachable as ``runtime.services[name]``.
SERVICES: tuple[str, ...] = (
    "hedgetui.runtime.limits_health",
    "hedgetui.runtime.executor",
    "hedgetui.runtime.alerts",
)
SNAPSHOT_EVERY_S = 5.0
#: the longest one service's ``stop()`` may take (the alert engine flushes webhooks for up
#: to 10 s) before it is cancelled: quitting must never hang on one part
SERVICE_STOP_S = 12.0


@dataclass
class Runtime:
    config: Config
    store: Store
    clock: Clock = field(default_factory=SystemClock)
    bus: Bus = field(default_factory=Bus)
    exchanges: ExchangeSet | None = None
    account_pollers: dict[str, AccountPoller] = field(default_factory=dict)
    market_pollers: dict[str, MarketPoller] = field(default_factory=dict)
    service_stop_s: float = SERVICE_STOP_S

    def __post_init__(self) -> None:
        self.health = HealthRecorder(self.store.put_health, self.clock)
        self.supervisor = Supervisor(self.health, max_backoff=self.config.pollers.max_backoff)
        self._unsubscribe = None
        self._snapshot_task: asyncio.Task | None = None
        self.services: dict[str, object] = {}
        self._stopped = False

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        self._unsubscribe = self.store.subscribe(self._on_commit)
        if self.exchanges is None:
            self.exchanges = await build_exchanges(self.config, self.store, self.clock)
        self.store.put_accounts([a.info() for a in self.config.accounts])
        for name, exchange in self.exchanges.accounts.items():
            self._start_account(name, exchange)
        for exchange_id, exchange in self.exchanges.market_data.items():
            await self._start_market(exchange_id, exchange)
        if self.exchanges.venue is not None:
            self._snapshot_task = asyncio.create_task(self._save_paper_periodically())
        for module in SERVICES:
            service = importlib.import_module(module).create(self)
            self.services[service.name] = service
            await service.start()

    async def stop(self) -> None:
        """Stop pollers and services, save the paper venue, flush every pending write, close
        the exchange clients. Every step is bounded in time, so a service that ignores
        cancellation or an exchange that does not answer cannot keep the program from
        quitting (what was abandoned is logged). A second call does nothing."""
        if self._stopped:
            return
        self._stopped = True
        # the pollers first: no more data flows in (nor wakes the services) while they stop
        await self.supervisor.stop()
        for service in reversed(list(self.services.values())):
            await finish_within(service.stop(), self.service_stop_s, f"stopping {service.name}")
        if self._snapshot_task:
            await cancel_and_wait([self._snapshot_task], STOP_TIMEOUT_S)
        await self.save_paper()
        await self.store.flush()
        if self.exchanges:
            await self.exchanges.close()
        if self._unsubscribe:
            self._unsubscribe()

    async def __aenter__(self) -> Runtime:
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    # -- wiring --------------------------------------------------------------------------

    def _on_commit(self, changed: Changed) -> None:
        self.bus.publish(changed)

    def account_exchange(self, account: str) -> Exchange:
        assert self.exchanges is not None
        return self.exchanges.accounts[account]

    def _start_account(self, name: str, exchange: Exchange) -> None:
        cfg = self.config.account(name)
        poller = AccountPoller(exchange, self.store, self.clock)
        self.account_pollers[name] = poller
        secrets = tuple(cfg.credentials().values())
        intervals = self.config.pollers.intervals()
        for feed in ACCOUNT_FEEDS:
            self.supervisor.start(
                Job(
                    key=f"account:{name}:{feed}",
                    step=getattr(poller, feed),
                    interval=intervals[feed],
                    exchange=cfg.exchange,
                    feed=feed,
                    account=name,
                    group=name,
                    secrets=secrets,
                )
            )

    async def _start_market(self, exchange_id: str, exchange: Exchange) -> None:
        symbols = list(self.config.watchlist_for(exchange_id))
        if not symbols:
            log.warning("no watchlist for %s: no tickers or candles are polled", exchange_id)
            return
        poller = MarketPoller(
            exchange,
            self.store,
            self.clock,
            exchange_id,
            symbols,
            history_days=self.config.market.history_days,
        )
        self.market_pollers[exchange_id] = poller
        intervals = self.config.pollers.intervals()
        self.supervisor.start(
            Job(
                key=f"market:{exchange_id}:tickers",
                step=poller.tickers,
                interval=intervals["tickers"],
                exchange=exchange_id,
                feed="tickers",
            )
        )
        for symbol in symbols:
            for tf in self.config.market.timeframes:
                self.supervisor.start(
                    Job(
                        key=f"market:{exchange_id}:candles:{symbol}:{tf}",
                        step=_bind(poller.candles, symbol, tf),
                        interval=intervals["candles"],
                        exchange=exchange_id,
                        feed=f"candles {tf}",
                    )
                )

    # -- paper persistence ---------------------------------------------------------------

    async def save_paper(self) -> None:
        venue = self.exchanges.venue if self.exchanges else None
        if venue is not None:
            await self.store.save_snapshot(PAPER_SNAPSHOT_KEY, venue.snapshot(candles=False))

    async def _save_paper_periodically(self) -> None:
        while True:
            await asyncio.sleep(SNAPSHOT_EVERY_S)
            try:
                await self.save_paper()
            except Exception:
                log.exception("saving the paper venue failed; retrying in %ss", SNAPSHOT_EVERY_S)


def _bind(fn, *args):
    async def step() -> None:
        await fn(*args)

    return step
