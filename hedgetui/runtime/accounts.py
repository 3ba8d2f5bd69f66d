"""Exchange instances for the configured accounts.

The paper venue is restored from the store's snapshot when one exists (so a restart
continues the same accounts and market), else built fresh: the demo venue for the demo
config, or an empty venue with each paper account's configured starting balances.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from hedgetui.config import PAPER, Config
from hedgetui.domain.clock import Clock
from hedgetui.exchanges.base import Exchange
from hedgetui.exchanges.paper import PaperExchange, PaperVenue, build_demo_venue
from hedgetui.store import Store

log = logging.getLogger(__name__)

PAPER_SNAPSHOT_KEY = "paper-venue"
DEFAULT_PAPER_BALANCES = {"USDT": Decimal(10_000)}


class UnsupportedExchange(Exception):
    """An account names an exchange this build cannot reach."""


@dataclass
class ExchangeSet:
    accounts: dict[str, Exchange] = field(default_factory=dict)
    #: one instance per exchange id serving the shared market-data pollers
    market_data: dict[str, Exchange] = field(default_factory=dict)
    venue: PaperVenue | None = None

    async def close(self) -> None:
        for exchange in {
            id(e): e for e in [*self.accounts.values(), *self.market_data.values()]
        }.values():
            await exchange.close()


async def build_exchanges(config: Config, store: Store, clock: Clock) -> ExchangeSet:
    result = ExchangeSet()
    paper_accounts = [a for a in config.accounts if a.exchange == PAPER]
    if paper_accounts or PAPER in config.market.watchlist:
        result.venue = await _paper_venue(config, store, clock)
        for account in paper_accounts:
            if account.name not in result.venue.account_names():
                result.venue.add_account(
                    account.name, dict(account.balances or DEFAULT_PAPER_BALANCES)
                )
                log.info("paper account %s created", account.name)
            if account.leverage is not None:
                result.venue.set_leverage(account.name, account.leverage)
            result.accounts[account.name] = PaperExchange(result.venue, account.name)
        result.market_data[PAPER] = PaperExchange(result.venue, None)
    for account in config.accounts:
        if account.exchange != PAPER:
            raise UnsupportedExchange(
                f"account {account.name!r}: exchange {account.exchange!r} needs the ccxt "
                'adapter, which this build does not include yet — use exchange = "paper"'
            )
    return result


async def _paper_venue(config: Config, store: Store, clock: Clock) -> PaperVenue:
    snapshot = await store.load_snapshot(PAPER_SNAPSHOT_KEY)
    if snapshot is not None:
        return PaperVenue.restore(snapshot, clock=clock)
    if config.is_demo:
        return build_demo_venue(clock, seed=config.paper.seed)
    return PaperVenue(clock, seed=config.paper.seed)
