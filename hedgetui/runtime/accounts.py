"""Exchange instances for the configured accounts.

Live accounts get a :class:`CcxtExchange` each; every adapter of one exchange (and egress IP)
asks the same rate limiter, from the runtime's one :class:`RateLimiterRegistry`. Market data
of a live exchange comes from ONE keyless instance per exchange id (the shared market
pollers use it), whose market catalog the account instances adopt instead of loading their
own; it is loaded in the background at start, and a failure there only delays the pollers
(they retry with backoff).

The paper venue is restored from the store's snapshot when one exists (so a restart
continues the same accounts and market), else built fresh: the demo venue for the demo
config, or an empty venue with each paper account's configured starting balances.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from hedgetui.config import PAPER, AccountConfig, Config
from hedgetui.domain.clock import Clock
from hedgetui.exchanges.base import Exchange
from hedgetui.exchanges.paper import PaperExchange, PaperVenue, build_demo_venue
from hedgetui.runtime.ratelimit import RateLimiterRegistry
from hedgetui.runtime.redact import describe_error
from hedgetui.runtime.supervisor import STOP_TIMEOUT_S, cancel_and_wait, finish_within
from hedgetui.store import Store

if TYPE_CHECKING:  # ccxt's async client costs ~0.5 s to import: only live accounts pay it
    from hedgetui.exchanges.ccxt_adapter import CcxtExchange

log = logging.getLogger(__name__)

PAPER_SNAPSHOT_KEY = "paper-venue"
DEFAULT_PAPER_BALANCES = {"USDT": Decimal(10_000)}
#: the most one client's close may take (a ccxt client aborts its connections after 3 s)
CLOSE_TIMEOUT_S = 8.0


class UnsupportedExchange(Exception):
    """An account names an exchange this build cannot reach."""


@dataclass
class ExchangeSet:
    accounts: dict[str, Exchange] = field(default_factory=dict)
    #: one instance per exchange id serving the shared market-data pollers
    market_data: dict[str, Exchange] = field(default_factory=dict)
    venue: PaperVenue | None = None
    #: the shared rate-limit budgets of the live exchanges (one limiter per exchange and IP)
    limiters: RateLimiterRegistry = field(default_factory=RateLimiterRegistry)
    _tasks: list[asyncio.Task] = field(default_factory=list, repr=False)

    async def close(self) -> None:
        """Cancel the background market loads (requests in flight), then close every client
        at once, each bounded in time: a dead exchange never holds the shutdown."""
        await cancel_and_wait(self._tasks, STOP_TIMEOUT_S)
        unique = {id(e): e for e in [*self.accounts.values(), *self.market_data.values()]}
        await asyncio.gather(
            *(
                finish_within(e.close(), CLOSE_TIMEOUT_S, f"closing {_label(e)}")
                for e in unique.values()
            )
        )


def _label(exchange: Exchange) -> str:
    account = getattr(exchange, "account", None)
    return f"{exchange.id} ({account or 'market data'})"


async def build_exchanges(
    config: Config,
    store: Store,
    clock: Clock,
    limiters: RateLimiterRegistry | None = None,
) -> ExchangeSet:
    """Exchanges for every account plus one market-data instance per exchange id.
    ``limiters`` defaults to a new registry with the declared budgets."""
    result = ExchangeSet(limiters=limiters or RateLimiterRegistry())
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
    try:
        _build_live(config, clock, result)
    except BaseException:
        await result.close()
        raise
    return result


def _build_live(config: Config, clock: Clock, result: ExchangeSet) -> None:
    if all(x == PAPER for x in config.exchange_ids()):  # accounts' exchanges included
        return  # paper only: no need to import ccxt's async client
    from hedgetui.exchanges.ccxt_adapter import CcxtExchange

    live = [a for a in config.accounts if a.exchange != PAPER]

    for account in live:
        result.accounts[account.name] = _unsupported_as_error(
            f"account {account.name!r}",
            account.exchange,
            lambda a=account: CcxtExchange.from_account(
                a,
                gate=result.limiters.for_exchange(a.exchange, ip_key=a.api_url or "default"),
                trade_symbols=config.watchlist_for(a.exchange),
                clock=clock,
            ),
        )
    for exchange_id in config.exchange_ids():
        if exchange_id == PAPER:
            continue
        first = next((a for a in live if a.exchange == exchange_id), None)
        market = _unsupported_as_error(
            "the watchlist",
            exchange_id,
            lambda x=exchange_id, a=first: _market_data(x, a, result, clock),
        )
        result.market_data[exchange_id] = market
        for account in live:
            if account.exchange == exchange_id and _same_endpoint(account, first):
                result.accounts[account.name].markets_source = market
        result._tasks.append(
            asyncio.create_task(_load_markets(market), name=f"load markets {exchange_id}")
        )


def _market_data(
    exchange_id: str, first: AccountConfig | None, result: ExchangeSet, clock: Clock
) -> CcxtExchange:
    """The keyless instance behind an exchange's shared market pollers: its first account's
    endpoint (api_url, sandbox, options), so it sees the markets the accounts trade."""
    from hedgetui.exchanges.ccxt_adapter import CcxtExchange

    api_url = first.api_url if first else None
    return CcxtExchange(
        exchange_id,
        None,  # type: ignore[arg-type] - no account: public endpoints only
        None,
        sandbox=first.sandbox if first else False,
        api_url=api_url,
        ccxt_options=dict(first.ccxt_options) if first else None,
        gate=result.limiters.for_exchange(exchange_id, ip_key=api_url or "default"),
        clock=clock,
    )


def _same_endpoint(a: AccountConfig, b: AccountConfig | None) -> bool:
    return b is not None and (a.api_url, a.sandbox, a.ccxt_options) == (
        b.api_url,
        b.sandbox,
        b.ccxt_options,
    )


def _unsupported_as_error(who: str, exchange_id: str, build):
    try:
        return build()
    except ValueError as exc:  # unknown ccxt id, no rate limits known, bad api_url
        raise UnsupportedExchange(
            f"{who}: exchange {exchange_id!r} cannot be used: {exc}"
        ) from None


async def _load_markets(exchange: CcxtExchange) -> None:
    """Warm the shared catalog at start, off the pollers' path. A failure is only logged:
    the pollers load it themselves and back off while the exchange is unreachable."""
    try:
        markets = await exchange.load_markets()
    except Exception as exc:  # noqa: BLE001 - reported, retried by the pollers
        log.warning(
            "%s: loading markets failed, the pollers will retry: %s",
            exchange.id,
            describe_error(exc),
        )
    else:
        log.info("%s: %d markets loaded", exchange.id, len(markets))


async def _paper_venue(config: Config, store: Store, clock: Clock) -> PaperVenue:
    snapshot = await store.load_snapshot(PAPER_SNAPSHOT_KEY)
    if snapshot is not None:
        return PaperVenue.restore(snapshot, clock=clock)
    if config.is_demo:
        return build_demo_venue(clock, seed=config.paper.seed)
    return PaperVenue(clock, seed=config.paper.seed)
