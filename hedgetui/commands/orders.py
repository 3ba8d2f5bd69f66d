"""``hedgetui orders``: submit a batch file, cancel everything (kill switch), templates,
reconcile the order journal. Headless: exchanges and executor without the pollers
(:func:`hedgetui.runtime.headless.trading_session`), the same code the TUI uses.

Exit codes: 0 everything sent (or done) fine; 1 something was rejected, blocked, left
unknown or not confirmed; 2 usage, config or parse errors (parse errors print the line
with a caret under the column).

Confirmation (unless ``--yes``): paper-only batches and live ones up to the first
``risk.confirm_live_above`` threshold ask for ``y``; above it ``CONFIRM``; above the second
the live notional as a whole number must be typed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from hedgetui.commands.common import CommandError, config_for, open_store
from hedgetui.commands.orders_view import (
    console,
    preview_table,
    reconcile_table,
    status_line,
    summary_line,
)
from hedgetui.domain.orderlang import ParseError


def register(sub, common) -> None:
    p = sub.add_parser(
        "orders",
        help="submit order batches, cancel all, templates, reconcile the journal",
        description="Bulk orders in the order language (docs/order-language.md), headless.",
    )
    osub = p.add_subparsers(dest="orders_command", metavar="ACTION", required=True)

    s = osub.add_parser(
        "submit",
        help="preview and send a batch file ('-' reads stdin)",
        description="Parse, preview and send a batch. Exit 0: all sent OK; 1: some "
        "rejected/blocked/unconfirmed; 2: usage or parse error.",
    )
    common(s)
    s.add_argument("file", metavar="FILE|-", help="batch file in the order language, or -")
    s.add_argument("--dry-run", action="store_true", help="print the preview, send nothing")
    s.add_argument("--yes", action="store_true", help="send without asking (scripts)")
    s.add_argument(
        "--skip-blocked",
        action="store_true",
        help="send the rows that pass and skip blocked ones (default: a blocked row stops all)",
    )
    s.set_defaults(handler=_run(_submit))

    c = osub.add_parser(
        "cancel-all",
        help="kill switch: cancel every open order (optionally flatten positions)",
        description="Cancel every open order of the chosen accounts (all without "
        "--account/--tag); --flatten also closes perpetual positions at market.",
    )
    common(c)
    c.add_argument("--account", action="append", default=[], metavar="NAME")
    c.add_argument("--tag", action="append", default=[], metavar="TAG")
    c.add_argument("--flatten", action="store_true", help="close perp positions at market too")
    c.add_argument("--yes", action="store_true", help="do not ask")
    c.set_defaults(handler=_run(_cancel_all))

    t = osub.add_parser(
        "templates",
        help="saved batches: save NAME FILE | list | show NAME | rm NAME",
    )
    common(t)
    t.add_argument("action", choices=("save", "list", "show", "rm"))
    t.add_argument("name", nargs="?")
    t.add_argument("file", nargs="?", metavar="FILE|-")
    t.set_defaults(handler=_run(_templates))

    r = osub.add_parser("reconcile", help="check unfinished journaled orders on the exchanges")
    common(r)
    r.set_defaults(handler=_run(_reconcile))


def _run(fn):
    def handler(args: argparse.Namespace) -> int:
        config = config_for(args)
        return asyncio.run(_session(fn, args, config))

    return handler


async def _session(fn, args, config) -> int:
    from hedgetui.runtime.headless import trading_session

    path = config.resolved_db_path()
    store = await open_store(path)
    try:
        async with trading_session(config, store) as executor:
            return await fn(args, executor)
    finally:
        await store.close()


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"batch file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None


def _ask(prompt: str, from_stdin_batch: bool) -> str:
    if not from_stdin_batch:
        try:
            return input(prompt)
        except EOFError:
            return ""
    try:
        with open("/dev/tty", "r+") as tty:
            tty.write(prompt)
            tty.flush()
            return tty.readline()
    except OSError:
        raise CommandError(
            "the batch was read from stdin, so no confirmation can be typed: "
            "pass --yes to send it (or --dry-run to only preview)"
        ) from None


async def _submit(args, executor) -> int:
    text = _read(args.file)
    out = console()
    changed = [r for r in await executor.reconcile() if r.changed]
    if changed:
        out.print(reconcile_table(changed, "Journal reconciled before this batch"))
    try:
        preview = await executor.preview(text, fetch=True)
    except ParseError as exc:
        print(exc.render(), file=sys.stderr)
        return 2
    out.print(preview_table(preview))
    out.print(summary_line(preview))
    for note in preview.notes:
        out.print(f"[yellow]note:[/] {note}")
    reasons = preview.blocking_reasons()
    if args.dry_run:
        return 1 if reasons else 0
    if reasons and not args.skip_blocked:
        out.print(
            f"[red]nothing sent: {len(reasons)} blocked row(s); fix them or pass --skip-blocked"
        )
        return 1
    if not preview.sendable:
        out.print("nothing to send")
        return 1 if reasons else 0
    if not args.yes:
        confirm = preview.confirm
        answer = _ask(f"{confirm.prompt}: ", args.file == "-")
        if not confirm.accepts(answer):
            out.print(f"not confirmed (expected {confirm.expected!r}): nothing sent")
            return 1
    done = await executor.submit(
        preview,
        on_status=lambda r: r.status not in ("queued", "sending") and print(status_line(r)),
        skip_blocked=args.skip_blocked,
    )
    from hedgetui.runtime.executor import all_ok, summarize

    counts = summarize(done)
    out.print("sent: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    return 0 if all_ok(done) else 1


async def _cancel_all(args, executor) -> int:
    config = executor.config
    names = list(args.account)
    for tag in args.tag:
        tagged = [a.name for a in config.accounts_tagged(tag)]
        if not tagged:
            raise CommandError(f"no account has the tag {tag!r}")
        names.extend(tagged)
    for name in args.account:
        if name not in config.account_names:
            raise CommandError(
                f"unknown account {name!r}; configured: {', '.join(config.account_names)}"
            )
    names = list(dict.fromkeys(names or config.account_names))
    names = [n for n in names if n in executor.exchanges]
    what = "cancel every open order" + (" and flatten every perp position" if args.flatten else "")
    if not args.yes:
        answer = _ask(f"{what} on {', '.join(names)}? type y: ", False)
        if answer.strip().lower() not in ("y", "yes"):
            print("not confirmed: nothing done")
            return 1
    results = await executor.cancel_all(names, flatten=args.flatten)
    ok = True
    for r in results:
        print(f"{r.account}: canceled {len(r.canceled)} order(s)")
        for symbol, status, message in r.flattened:
            print(f"  flatten {symbol}: {status}" + (f" — {message}" if message else ""))
        for err in r.errors:
            print(f"  error: {err}")
        ok = ok and r.ok
    return 0 if ok else 1


async def _templates(args, executor) -> int:
    from hedgetui.store import StoreError

    action, name = args.action, args.name
    if action in ("save", "show", "rm") and not name:
        raise CommandError(f"orders templates {action} needs a NAME")
    if action == "list":
        found = await executor.list_templates()
        if not found:
            print("no templates saved yet: hedgetui orders templates save NAME FILE")
        for t in found:
            first = t.text.strip().splitlines()[0] if t.text.strip() else ""
            more = t.text.strip().count("\n")
            print(f"{t.name:<24} {first}" + (f"  (+{more} lines)" if more else ""))
        return 0
    if action == "save":
        if not args.file:
            raise CommandError("orders templates save needs NAME and FILE (or - for stdin)")
        try:
            t = await executor.save_template(name, _read(args.file))
        except ParseError as exc:
            print(exc.render(), file=sys.stderr)
            return 2
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        print(f"saved template {t.name}")
        return 0
    try:
        if action == "show":
            print((await executor.load_template(name)).text.rstrip("\n"))
            return 0
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    if not await executor.delete_template(name):
        raise CommandError(f"no template named {name!r}")
    print(f"deleted template {name}")
    return 0


async def _reconcile(args, executor) -> int:
    results = await executor.reconcile()
    if not results:
        print("the order journal has no unfinished orders: nothing to reconcile")
        return 0
    console().print(reconcile_table(results))
    unchecked = sum(not r.checked for r in results)
    if unchecked:
        print(f"{unchecked} order(s) could not be checked; run this again later")
        return 1
    return 0
