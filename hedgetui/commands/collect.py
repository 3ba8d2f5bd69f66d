"""``hedgetui collect``: the pollers without a UI, until Ctrl-C or --seconds."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from hedgetui.commands.common import config_for, open_store, setup_logging
from hedgetui.runtime.engine import Runtime

log = logging.getLogger("hedgetui.collect")


def register(sub, common) -> None:
    p = sub.add_parser(
        "collect",
        help="run the pollers without a UI, writing the database",
        description="Run every poller headless until Ctrl-C or --seconds "
        "pass; the writer is flushed before exit.",
    )
    common(p)
    p.add_argument("--seconds", type=float, metavar="N", help="stop after N seconds")
    p.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="log verbosity",
    )
    p.set_defaults(handler=collect)


def collect(args: argparse.Namespace) -> int:
    setup_logging(args.log_level)
    config = config_for(args)
    return asyncio.run(_collect(config, args.seconds))


async def _collect(config, seconds: float | None) -> int:
    path = config.resolved_db_path()
    store = await open_store(path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runtime = Runtime(config, store)
    try:
        await runtime.start()
        mode = "demo on the paper exchange" if config.is_demo else f"config {config.source}"
        print(
            f"hedgetui collect: {len(config.accounts)} accounts, {mode}, writing {path}"
            + (f" for {seconds:g}s" if seconds else " (Ctrl-C stops)"),
            file=sys.stderr,
        )
        try:
            await asyncio.wait_for(stop.wait(), timeout=seconds)
        except TimeoutError:
            pass
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await runtime.stop()
        stats = store.stats
        await store.close()
    log.info("stopped; %s", stats)
    print(f"hedgetui collect: stopped cleanly, everything written to {path}", file=sys.stderr)
    return 0
