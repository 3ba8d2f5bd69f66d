"""Which panes the workstation shows, in order; number keys 1-9 follow this order.

The four data panes are built in. A feature adds its pane by naming its module in ``EXTRA``:
the module exposes ``PANE = PaneSpec(...)``; the factory gets the app and returns a
:class:`~hedgetui.ui.panes.Pane` (data pushed down with ``show``; the app reaches the
store/runtime as ``pane.app.store`` / ``pane.app.runtime``, which is None with --attach).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EXTRA: tuple[str, ...] = (
    "hedgetui.ui.chart_pane",
    "hedgetui.ui.trade_pane",
    "hedgetui.ui.alerts_pane",
)


@dataclass(frozen=True)
class PaneSpec:
    id: str  # the pane widget's id is f"{id}-pane"; the tab's id is ``id``
    title: str
    factory: Callable[[Any], Any]


def core_panes() -> list[PaneSpec]:
    from hedgetui.ui.panes import AccountsPane, HealthPane, MarketPane, OrdersPane

    return [
        PaneSpec(
            "accounts", "Accounts", lambda app: AccountsPane(app.stale_after_s, id="accounts-pane")
        ),
        PaneSpec("orders", "Orders", lambda app: OrdersPane(id="orders-pane")),
        PaneSpec("market", "Market", lambda app: MarketPane(id="market-pane")),
        PaneSpec("health", "Health", lambda app: HealthPane(id="health-pane")),
    ]


def all_panes(extra: tuple[str, ...] | None = None) -> list[PaneSpec]:
    specs = core_panes()
    for module in EXTRA if extra is None else extra:
        specs.append(importlib.import_module(module).PANE)
    return specs
