"""The local Binance server on its own event loop in a background thread, so another process
(``hedgetui collect``, ``hedgetui accounts check``, the TUI) can talk to it while the caller
stays synchronous - used by tests and benchmarks."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any, TypeVar

from hedgetui.exchanges.binance_server.app import BinanceServer, start_server
from hedgetui.exchanges.paper import PaperVenue

T = TypeVar("T")


class ServerThread:
    """``with ServerThread(venue, {key: (secret, account)}) as srv: srv.url ...``.

    The venue and the server belong to the thread's loop from then on: touch them only
    through :meth:`call`, which runs a function of the server on that loop.
    """

    def __init__(
        self, venue: PaperVenue, accounts: Mapping[str, tuple[str, str]], **kw: Any
    ) -> None:
        self._venue = venue
        self._accounts = dict(accounts)
        self._kw = kw
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.server: BinanceServer | None = None
        self.url = ""

    def start(self) -> ServerThread:
        self._thread.start()
        self.url, self.server = self._submit(
            start_server(self._venue, self._accounts, **self._kw)
        ).result(timeout=10)
        return self

    def call(self, fn: Callable[[BinanceServer], T], timeout: float = 10) -> T:
        """``fn(server)`` on the server's loop; its result."""

        async def run() -> T:
            return fn(self.server)

        return self._submit(run()).result(timeout=timeout)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        if self.server is not None:
            self._submit(self.server.close()).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def _submit(self, coro) -> Future:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
