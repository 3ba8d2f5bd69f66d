"""``hedgetui alerts``: add, list, edit, remove, enable/disable and acknowledge alert rules,
and show the history of fired alerts. It writes the store directly; a running ``collect``
or TUI picks the change up within seconds."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hedgetui.commands.common import CommandError, config_for, open_store
from hedgetui.config import Config
from hedgetui.domain.alerts import AlertRule, RuleParseError, parse_rule
from hedgetui.domain.clock import SystemClock
from hedgetui.store import alerts as store_alerts

EXAMPLES = """\
rules (full grammar: docs/alerts.md):
  BTC/USDT > 65000                         price above a level (once, then disabled)
  BTC/USDT crosses 64000 repeat 5m         every cross, at most once per 5 minutes
  BTC/USDT change 5m > 2%                  % change over a window
  ETH/USDT volume 1m > 3x avg 20           volume spike vs its average
  BTC/USDT rsi 14 1h > 70                  indicator level (closed candles)
  BTC/USDT ema 20 crosses above ema 50 5m  indicator cross
  pnl perps < -500 until-ack 2m            PnL; reminds every 2m until acknowledged
  equity total < 180000 note "cut risk"    equity of all accounts summed
  balance main USDT < 1000                 one asset's balance
  stale account main 60s / error account main
"""


def register(sub, common) -> None:
    p = sub.add_parser(
        "alerts",
        help="add, list, remove and acknowledge alert rules; show fired alerts",
        description="Manage alert rules in the database. Rules fire in `hedgetui collect` "
        "and in the TUI (a running one picks changes up within seconds).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # --config/--db go on each action (after it): an action's defaults would override
    # values given before it
    p.set_defaults(handler=lambda _args: _usage(p))
    actions = p.add_subparsers(dest="action", metavar="ACTION")

    add = actions.add_parser("add", help="add a rule, e.g. 'BTC/USDT > 65000'")
    add.add_argument("rule", nargs="+", help="the rule text (quote it)")
    add.add_argument("--disabled", action="store_true", help="store it disabled")
    add.set_defaults(handler=_run(_add))

    edit = actions.add_parser("edit", help="replace a rule's text (it starts afresh)")
    edit.add_argument("id", type=_rule_id, help="rule id (see `alerts list`)")
    edit.add_argument("rule", nargs="+", help="the new rule text")
    edit.set_defaults(handler=_run(_edit))

    ls = actions.add_parser("list", aliases=["ls"], help="list rules")
    ls.set_defaults(handler=_run(_list))

    for name, help_text, fn in (
        ("rm", "delete a rule (its history stays)", _rm),
        ("enable", "enable a rule (re-arms a rule that fired once)", _enable),
        ("disable", "disable a rule", _disable),
        ("ack", "acknowledge a rule's alerts (stops until-ack reminders)", _ack),
    ):
        a = actions.add_parser(name, help=help_text)
        a.add_argument("id", type=_rule_id, help="rule id (see `alerts list`)")
        a.set_defaults(handler=_run(fn))

    hist = actions.add_parser("history", help="fired alerts, newest first")
    hist.add_argument("--limit", type=_positive, default=50, metavar="N", help="at most N (50)")
    hist.add_argument("--rule", type=_rule_id, metavar="ID", help="only this rule's alerts")
    hist.set_defaults(handler=_run(_history))
    for a in {id(a): a for a in actions.choices.values()}.values():
        common(a)


def _usage(p: argparse.ArgumentParser) -> int:
    p.print_help(sys.stderr)
    return 2


def _rule_id(text: str) -> int:
    try:
        value = int(text.lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a rule id; use the number `hedgetui alerts list` shows"
        ) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: rule ids are positive numbers")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number above 0, e.g. 20")
    return value


def _run(fn):
    def handler(args: argparse.Namespace) -> int:
        config = config_for(args)
        return asyncio.run(fn(args, config))

    return handler


def _console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=160)


def _when(ms: int | None) -> str:
    if not ms:
        return "-"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


def parse_or_explain(text: str, now_ms: int) -> AlertRule:
    try:
        return parse_rule(text, now_ms=now_ms)
    except RuleParseError as exc:
        raise CommandError(f"this rule does not parse:\n{exc}") from None


def warnings_for(rule: AlertRule, config: Config) -> list[str]:
    """Rules that parse but would never see data with this config: say so (not an error:
    the collector may run with another config)."""
    out = []
    params = rule.params
    account = getattr(params, "account", None)
    if rule.kind.is_account and account != "total" and account not in config.account_names:
        out.append(
            f"no account named {account!r} in the config "
            f"(configured: {', '.join(config.account_names) or 'none'})"
        )
    if rule.kind.is_health and params.target == "account":
        if params.name not in config.account_names:
            out.append(f"no account named {params.name!r} in the config")
    if rule.kind.is_market:
        ids = config.exchange_ids()
        exchange = rule.exchange or (ids[0] if ids else "paper")
        if rule.symbol not in config.watchlist_for(exchange):
            out.append(
                f"{rule.symbol} is not in the {exchange} watchlist ([market] watchlist."
                f"{exchange}): no prices are polled for it, so the rule waits"
            )
    return out


def rule_text(words: list[str]) -> str:
    """The rule from the command line's words. The shell strips the quotes of
    ``note "check hedge"`` (and of ``arm "dip ladder"``): put them back around the word that
    follows ``note``/``arm`` when it lost them, so what the trader typed is what parses."""
    out: list[str] = []
    for word in words:
        before = out[-1].split()[-1].lower() if out and out[-1].split() else ""
        quote = before == "note" or (before == "arm" and any(c.isspace() for c in word))
        out.append(f'"{word}"' if quote and not word.startswith('"') and '"' not in word else word)
    return " ".join(out)


async def _add(args: argparse.Namespace, config: Config) -> int:
    now = SystemClock().now_ms()
    rule = parse_or_explain(rule_text(args.rule), now)
    for warning in warnings_for(rule, config):
        print(f"hedgetui: warning: {warning}", file=sys.stderr)
    path = config.resolved_db_path()
    store = await open_store(path)
    try:
        rid = await store_alerts.add_rule(store, rule.text, now_ms=now, enabled=not args.disabled)
    finally:
        await store.close()
    state = " (disabled)" if args.disabled else ""
    print(f"added alert #{rid}{state}: {rule.text}")
    return 0


async def _edit(args: argparse.Namespace, config: Config) -> int:
    now = SystemClock().now_ms()
    rule = parse_or_explain(rule_text(args.rule), now)
    for warning in warnings_for(rule, config):
        print(f"hedgetui: warning: {warning}", file=sys.stderr)
    async with _writable(config) as store:
        await _known(store_alerts.update_rule(store, args.id, rule.text, now_ms=now))
    print(f"alert #{args.id} is now: {rule.text}")
    return 0


async def _rm(args: argparse.Namespace, config: Config) -> int:
    async with _writable(config) as store:
        await _known(store_alerts.delete_rule(store, args.id))
    print(f"deleted alert #{args.id} (its fired alerts stay in the history)")
    return 0


async def _enable(args: argparse.Namespace, config: Config) -> int:
    return await _set_enabled(args, config, True)


async def _disable(args: argparse.Namespace, config: Config) -> int:
    return await _set_enabled(args, config, False)


async def _set_enabled(args: argparse.Namespace, config: Config, enabled: bool) -> int:
    word = "enabled" if enabled else "disabled"
    async with _writable(config) as store:
        now = SystemClock().now_ms()
        changed = await _known(store_alerts.set_enabled(store, args.id, enabled, now_ms=now))
    print(f"alert #{args.id} {word}" if changed else f"alert #{args.id} was already {word}")
    return 0


async def _ack(args: argparse.Namespace, config: Config) -> int:
    async with _writable(config) as store:
        now = SystemClock().now_ms()
        n = await _known(store_alerts.acknowledge(store, args.id, now_ms=now))
    print(f"alert #{args.id} acknowledged ({n} unacknowledged alert{'s' * (n != 1)} cleared)")
    return 0


async def _list(args: argparse.Namespace, config: Config) -> int:
    path = config.resolved_db_path()
    if not path.exists():
        print("no alert rules yet — add one: hedgetui alerts add 'BTC/USDT > 65000'")
        return 0
    store = await open_store(path, readonly=True)
    try:
        rules = await store_alerts.rules(store)
        summaries = await store_alerts.rule_summaries(store)
    finally:
        await store.close()
    if not rules:
        print("no alert rules yet — add one: hedgetui alerts add 'BTC/USDT > 65000'")
        return 0
    table = Table(title="Alert rules", title_justify="left")
    for col, just in [
        ("id", "right"),
        ("rule", "left"),
        ("enabled", "left"),
        ("state", "left"),
        ("last fired (UTC)", "left"),
    ]:
        table.add_column(col, justify=just, overflow="fold")
    for r in rules:
        last, unacked, last_kind = summaries.get(r.id, (None, 0, None))
        table.add_row(
            str(r.id),
            escape(r.text),
            "yes" if r.enabled else "no",
            store_alerts.describe_state(r.enabled, unacked, last_kind),
            _when(last),
        )
    _console().print(table)
    return 0


async def _history(args: argparse.Namespace, config: Config) -> int:
    path = config.resolved_db_path()
    if not path.exists():
        print("no alerts have fired yet")
        return 0
    store = await open_store(path, readonly=True)
    try:
        events = await store_alerts.events(store, limit=args.limit, rule_id=args.rule)
    finally:
        await store.close()
    if not events:
        print("no alerts have fired yet")
        return 0
    table = Table(title="Fired alerts (newest first)", title_justify="left")
    for col in ("time (UTC)", "id", "kind", "message", "note", "ack"):
        table.add_column(col, overflow="fold")
    for e in events:
        table.add_row(
            _when(e.fired_at),
            str(e.rule_id),
            e.kind,
            escape(e.message),
            escape(e.note),
            "yes" if e.acknowledged else "no",
        )
    _console().print(table)
    return 0


class _writable:
    """The store for a change; a clear line when the database does not exist yet."""

    def __init__(self, config: Config) -> None:
        self.path = config.resolved_db_path()

    async def __aenter__(self):
        if not self.path.exists():
            raise CommandError(
                f"no database at {self.path}: no alert rules yet (add one with "
                "`hedgetui alerts add`), or pass the right --db"
            )
        self.store = await open_store(self.path)
        return self.store

    async def __aexit__(self, *exc) -> None:
        await self.store.close()


async def _known(awaitable):
    try:
        return await awaitable
    except KeyError as exc:
        raise CommandError(exc.args[0]) from None
