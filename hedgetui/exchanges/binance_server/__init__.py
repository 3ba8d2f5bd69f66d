"""A local Binance-compatible spot REST server backed by the paper venue.

Point any Binance client (ccxt ``binance`` with ``api_url``) at it: it signs, rate-limits and
answers like Binance, so the live adapter can be exercised - and the TUI driven - without the
internet. Faults (429/418 with Retry-After, 5xx pages, slow replies, error codes) can be
injected per path for tests.
"""

from hedgetui.exchanges.binance_server.app import BinanceServer, KeyGrant, Seen, start_server
from hedgetui.exchanges.binance_server.faults import FAULT_KINDS
from hedgetui.exchanges.binance_server.weights import binance_weight

__all__ = ["BinanceServer", "FAULT_KINDS", "KeyGrant", "Seen", "binance_weight", "start_server"]
