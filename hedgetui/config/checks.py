"""Checks across fields, against ccxt's exchange list, and secrets from the environment.

Each check yields ``(loc, message)`` so the loader can report the exact key, in the file or
the environment variable that set it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache

from pydantic import SecretStr

from hedgetui.config.errors import suggest
from hedgetui.config.model import PAPER, AccountConfig, Config

__all__ = ["known_exchange_ids", "check_config", "resolve_secrets", "name_key"]

Problem = tuple[tuple[str | int, ...], str]


@cache
def known_exchange_ids() -> frozenset[str]:
    """ccxt's exchange ids plus ``paper`` (ccxt itself is imported only by ``exchanges``)."""
    from hedgetui.exchanges.ids import known_exchange_ids as ids

    return frozenset(ids())


def name_key(name: str) -> str:
    """Account names are compared ignoring case and separators, as env vars see them."""
    return name.lower().replace("-", "_").replace(".", "_")


def check_config(cfg: Config) -> Iterator[Problem]:
    yield from _check_names(cfg)
    yield from _check_exchanges(cfg)
    for i, account in enumerate(cfg.accounts):
        yield from _check_account(i, account)
    yield from _check_pollers(cfg)


def _check_names(cfg: Config) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for i, account in enumerate(cfg.accounts):
        key = name_key(account.name)
        if key not in seen:
            seen[key] = account.name
            continue
        other = seen[key]
        if other == account.name:
            msg = (
                f"duplicate account name {account.name!r} — account names must be unique; "
                "rename one of them"
            )
        else:
            msg = (
                f"account name {account.name!r} clashes with {other!r} (names are compared "
                "ignoring case and '-', '_', '.') — rename one of them"
            )
        yield ("accounts", i, "name"), msg


def _check_exchanges(cfg: Config) -> Iterator[Problem]:
    named = [(("accounts", i, "exchange"), a.exchange) for i, a in enumerate(cfg.accounts)]
    named += [(("market", "watchlist", ex), ex) for ex in cfg.market.watchlist]
    if all(ex == PAPER for _, ex in named):
        return
    known = known_exchange_ids()
    for loc, ex in named:
        if ex in known:
            continue
        best = suggest(ex, known)
        hint = f"did you mean '{best}'?" if best else "use 'paper' or a ccxt exchange id"
        yield loc, f"unknown exchange {ex!r} — {hint} (ids are listed in ccxt.exchanges)"


def _check_account(i: int, account: AccountConfig) -> Iterator[Problem]:
    if account.is_paper:
        return
    what = f"account {account.name!r} ({account.exchange})"
    for field in ("balances", "leverage"):
        if getattr(account, field) is not None:
            yield (
                ("accounts", i, field),
                f"{field} applies to paper accounts only; {what} is a live account whose "
                f"{field} come from the exchange — remove it",
            )
    # read-only accounts need keys too: balances, positions and orders are private endpoints
    for field, label in (("api_key_env", "an API key"), ("secret_env", "an API secret")):
        if getattr(account, field) is None:
            yield (
                ("accounts", i, field),
                f'{what} needs {label} — add {field} = "NAME" naming the environment '
                "variable that holds it (read-only accounts need one too; use a read-only key "
                "on the exchange)",
            )


def _check_pollers(cfg: Config) -> Iterator[Problem]:
    intervals = cfg.pollers.intervals()
    feed = max(intervals, key=intervals.__getitem__)
    if cfg.pollers.stale_after <= intervals[feed]:
        yield (
            ("pollers", "stale_after"),
            f"stale_after ({cfg.pollers.stale_after:g}s) must be longer than the slowest poll "
            f"interval ({feed} = {intervals[feed]:g}s), or that feed always shows as stale — "
            "raise stale_after or poll faster",
        )


def resolve_secrets(cfg: Config, env: Mapping[str, str]) -> Iterator[Problem]:
    """Read each live account's secrets from the named env vars into the account (in place:
    private attributes of freshly validated objects). Yields a problem per missing one."""
    for i, account in enumerate(cfg.accounts):
        if account.is_paper:
            continue
        for field, attr, label in (
            ("api_key_env", "_api_key", "API key"),
            ("secret_env", "_secret", "API secret"),
            ("password_env", "_password", "API password"),
        ):
            var = getattr(account, field)
            if var is None:
                continue
            value = (env.get(var) or "").strip()
            if not value:
                yield (
                    ("accounts", i, field),
                    f"environment variable {var} is not set or empty (the {label} of account "
                    f"{account.name!r}) — export {var} before starting hedgetui, or fix the name",
                )
                continue
            setattr(account, attr, SecretStr(value))
