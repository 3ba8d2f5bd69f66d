"""The built-in paper exchange: a deterministic simulated venue and its Exchange wrapper.

``PaperVenue`` (venue.py) is the simulated exchange - markets (market.py), candles and
history (candles.py, history.py), matching, balances and positions (engine.py,
accounts.py). ``PaperExchange`` (exchange.py) is the :class:`Exchange` for one account.
``build_demo_venue`` (demo.py) creates the demo accounts.
"""

from hedgetui.exchanges.paper.catalog import DEFAULT_SPECS, EXCHANGE_ID, MarketSpec
from hedgetui.exchanges.paper.demo import DEMO_ACCOUNTS, DEMO_SYMBOLS, DemoAccount, build_demo_venue
from hedgetui.exchanges.paper.exchange import PaperExchange
from hedgetui.exchanges.paper.venue import SNAPSHOT_FORMAT, PaperVenue

__all__ = [
    "DEFAULT_SPECS",
    "DEMO_ACCOUNTS",
    "DEMO_SYMBOLS",
    "DemoAccount",
    "EXCHANGE_ID",
    "MarketSpec",
    "PaperExchange",
    "PaperVenue",
    "SNAPSHOT_FORMAT",
    "build_demo_venue",
]
