"""``hedgetui accounts check``: do each account's API keys work, and what may they do?

One row per configured account: keys accepted, trading allowed, withdrawals enabled (a
warning: a trading key should never be able to withdraw), the read-only flag, and the
exchange's (redacted) error. Exit 0 when every account is usable, 1 when one failed, 2 for a
config error. All live accounts are checked at once through one shared rate-limit budget.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hedgetui.commands.common import config_for, setup_logging
from hedgetui.config import AccountConfig, Config
from hedgetui.exchanges.ccxt_check import AccountCheck
from hedgetui.runtime.ratelimit import RateLimiterRegistry
from hedgetui.runtime.redact import describe_error

DEFAULT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Checked:
    config: AccountConfig
    result: AccountCheck


def register(sub, common) -> None:
    p = sub.add_parser(
        "accounts",
        help="check the configured accounts' API keys and permissions",
        description="Account tools. `hedgetui accounts check` verifies every account's keys.",
    )
    actions = p.add_subparsers(dest="accounts_action", metavar="{check}", required=True)
    c = actions.add_parser(
        "check",
        help="verify each account's API keys and permissions",
        description="Verify each configured account's API keys against its exchange: keys "
        "accepted, trading enabled, withdrawals disabled (warns if enabled). Exit code 0 if "
        "every account is usable, 1 if any failed, 2 for a config error.",
    )
    common(c)
    c.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        metavar="S",
        help=f"seconds to wait for each exchange answer (default {DEFAULT_TIMEOUT_S:g})",
    )
    c.set_defaults(handler=check)


def check(args: argparse.Namespace) -> int:
    setup_logging("error")  # keep ccxt/aiohttp chatter out of the table
    config = config_for(args)
    results = asyncio.run(check_accounts(config, timeout_s=args.timeout))
    print_results(results)
    failed = [r for r in results if not r.result.ok]
    if not config.accounts:
        print("no accounts configured: add [[accounts]] to the config file", file=sys.stderr)
    for r in failed:
        print(f"hedgetui: account {r.config.name}: {r.result.error}", file=sys.stderr)
    return 1 if failed else 0


async def check_accounts(config: Config, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> list[Checked]:
    limiters = RateLimiterRegistry()
    checks = [_check_one(a, limiters, timeout_s) for a in config.accounts]
    return [
        Checked(a, r) for a, r in zip(config.accounts, await asyncio.gather(*checks), strict=True)
    ]


async def _check_one(
    account: AccountConfig, limiters: RateLimiterRegistry, timeout_s: float
) -> AccountCheck:
    if account.is_paper:
        return AccountCheck(account.name, account.exchange, True, True, False)
    from hedgetui.exchanges.ccxt_adapter import CcxtExchange  # ccxt async: ~0.5 s to import

    try:
        exchange = CcxtExchange.from_account(
            account,
            gate=limiters.for_exchange(account.exchange, ip_key=account.api_url or "default"),
            timeout_ms=int(timeout_s * 1000),
        )
    except ValueError as exc:
        return AccountCheck(account.name, account.exchange, False, error=str(exc))
    secrets = tuple(account.credentials().values())
    try:
        # two requests (balance, permissions), each bounded by the client timeout
        return await asyncio.wait_for(exchange.check_account(), timeout=3 * timeout_s)
    except TimeoutError:
        error = f"no answer from {account.exchange} within {3 * timeout_s:g}s"
    except Exception as exc:  # noqa: BLE001 - reported as this account's failure
        error = describe_error(exchange.redacted(exc), secrets)
    finally:
        await exchange.close()
    return AccountCheck(account.name, account.exchange, False, error=error)


def _yes_no(value: bool | None) -> str:
    return "?" if value is None else "yes" if value else "no"


def print_results(results: list[Checked]) -> None:
    console = Console()
    if not console.is_terminal:  # piped: don't squeeze into 80 columns
        console = Console(width=160)
    table = Table(title="Accounts check", title_justify="left")
    for col in ("account", "exchange", "mode", "keys", "trade", "withdraw", "read-only", "notes"):
        table.add_column(col)
    for r in results:
        cfg, res = r.config, r.result
        notes = list(res.warnings)
        if cfg.is_paper:
            keys = Text("OK (paper)", style="green")
        elif res.ok:
            keys = Text("OK", style="green")
        else:
            keys = Text("FAILED", style="bold red")
            notes.insert(0, res.error)
        if res.ok and cfg.read_only and res.can_trade:
            notes.append("read_only account with a key that can trade: a read-only key is safer")
        if cfg.sandbox:
            notes.append("sandbox")
        withdraw = (
            Text("WARNING: enabled", style="bold yellow")
            if res.can_withdraw
            else Text(_yes_no(res.can_withdraw))
        )
        table.add_row(
            cfg.name,
            cfg.exchange,
            Text("PAPER", style="yellow") if cfg.is_paper else Text("LIVE", style="red"),
            keys,
            _yes_no(res.can_trade),
            withdraw,
            "yes" if cfg.read_only else "no",
            "; ".join(notes),
        )
    console.print(table)
    ok = sum(r.result.ok for r in results)
    warned = sum(bool(r.result.warnings) for r in results)
    console.print(
        f"{ok}/{len(results)} accounts OK" + (f", {warned} with warnings" if warned else "")
    )
