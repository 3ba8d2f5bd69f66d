"""The chart pane's drawing keys: ``H`` a horizontal line, ``r`` twice a trend line, ``D``
edit or delete the line nearest the crosshair. Drawings are stored per (exchange, symbol)
by :mod:`hedgetui.store.drawings`, so every timeframe of the market shows them.

A mixin of :class:`~hedgetui.ui.chart_pane.ChartPane`: it uses the pane's ``box`` (the
active chart), ``hedge`` (the app) and ``_spawn`` (a guarded worker).
"""

from __future__ import annotations

import math

from hedgetui.store.drawings import (
    MAX_LABEL,
    add_hline,
    add_trendline,
    delete_drawing,
    update_drawing,
)
from hedgetui.ui.chart_box import ChartBox
from hedgetui.ui.chart_modals import FormScreen, MenuScreen

__all__ = ["DrawingActions", "check_line"]


class DrawingActions:
    def _writable(self, box: ChartBox) -> bool:
        store = self.hedge.store
        if store is None or not box.loaded:
            box.flash("the chart is still loading")
            return False
        if store.readonly:
            box.flash("attached read-only (--attach): drawings can't be saved here")
            return False
        return True

    def action_add_hline(self) -> None:
        self._spawn(self._add_hline())

    async def _add_hline(self) -> None:
        box = self.box
        price = box.cursor_price()
        if not self._writable(box) or price is None:
            return
        result = await self.app.push_screen_wait(
            FormScreen(
                f"Horizontal line on {box.symbol} ({box.exchange}), shown on every timeframe",
                [("price", "price", box.price_text(price)), ("label", "label (optional)", "")],
                check_line,
                "the alerts engine can use it as a trigger level",
            )
        )
        if result is None:
            return
        d = await add_hline(self.hedge.store, box.exchange, box.symbol,
                            float(result["price"].replace(",", "")), result["label"])  # fmt: skip
        await box.reload_drawings()
        box.flash(f"added {d.describe}")

    def action_trend_point(self) -> None:
        box = self.box
        if not self._writable(box):
            return
        if box.cursor is None:
            box.toggle_cursor()
            box.flash("trend line: move the crosshair to the first point and press r")
            return
        point = (box.cursor_ts(), box.cursor_price())
        if box.trend_anchor is None:
            box.trend_anchor = point
            box.flash("trend line: first point set; move to the second point and press r", 8)
            return
        if point[0] == box.trend_anchor[0]:
            box.flash("trend line: the second point must be at another candle")
            return
        self._spawn(self._add_trend(box, box.trend_anchor, point))
        box.trend_anchor = None

    async def _add_trend(self, box: ChartBox, a, b) -> None:
        result = await self.app.push_screen_wait(
            FormScreen(
                f"Trend line on {box.symbol}", [("label", "label (optional)", "")], check_line
            )  # fmt: skip
        )
        if result is None:
            return
        d = await add_trendline(self.hedge.store, box.exchange, box.symbol, a[0], a[1], b[0],
                                b[1], result["label"])  # fmt: skip
        await box.reload_drawings()
        box.flash(f"added {d.describe}")

    def action_edit_drawing(self) -> None:
        self._spawn(self._edit_drawing())

    async def _edit_drawing(self) -> None:
        box = self.box
        if not self._writable(box):
            return
        d = box.nearest_drawing()
        if d is None:
            box.flash(f"no drawings on {box.symbol} yet: H adds a horizontal line")
            return
        choices = [("delete", "Delete"), ("label", "Edit label")]
        if d.kind == "hline":
            choices.append(
                ("move", f"Move to the crosshair ({box.price_text(box.cursor_price())})")
            )
            choices.append(("price", "Edit price"))
        action = await self.app.push_screen_wait(MenuScreen(d.describe, choices))
        store = self.hedge.store
        if action == "delete":
            await delete_drawing(store, d.id)
            box.flash(f"deleted {d.describe}")
        elif action == "label":
            result = await self.app.push_screen_wait(
                FormScreen(f"Label of {d.describe}", [("label", "label", d.label)], check_line)
            )
            if result is None:
                return
            await update_drawing(store, d.id, label=result["label"])
        elif action == "move":
            await update_drawing(store, d.id, price=box.cursor_price())
        elif action == "price":
            result = await self.app.push_screen_wait(
                FormScreen(
                    f"Price of {d.describe}",
                    [("price", "price", box.price_text(d.price))],
                    check_line,
                )  # fmt: skip
            )
            if result is None:
                return
            await update_drawing(store, d.id, price=float(result["price"].replace(",", "")))
        else:
            return
        await box.reload_drawings()


def check_line(values: dict) -> str | None:
    """The line form's error message, or None when the price and label are good."""
    if "price" in values:
        text = values["price"].replace(",", "").strip()
        try:
            price = float(text)
        except ValueError:
            return f"price {values['price']!r} is not a number; type e.g. 64250.5"
        if not math.isfinite(price) or price <= 0:
            return f"price must be a number above zero, got {values['price']!r}"
    label = " ".join(values.get("label", "").split())
    if len(label) > MAX_LABEL:
        return f"label is {len(label)} characters; keep it to {MAX_LABEL}"
    return None
