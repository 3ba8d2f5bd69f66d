"""The status line under a chart box: market, source and zoom, the crosshair's readout, or
a short flashed message (errors, confirmations).

A mixin of ChartBox (chart_box.py), kept apart because it only reads the box's state; the
box calls ``update_status`` after every view change and render.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from hedgetui.charts.scale import ts_text
from hedgetui.charts.status import chart_status_lines
from hedgetui.domain.models import timeframe_ms

if TYPE_CHECKING:
    from hedgetui.ui.chart_box import ChartBox

    _Base = ChartBox
else:
    _Base = object

TALL = 30  # lines of a chart box with room for a two-line crosshair readout


class StatusMixin(_Base):
    def flash(self, message: str, seconds: float = 4.0) -> None:
        """A message in the status line for a few seconds (errors, confirmations)."""
        self._message = message
        if self._message_timer is not None:
            self._message_timer.stop()
        self._message_timer = self.set_timer(seconds, self._clear_message)
        self.update_status()

    def _clear_message(self) -> None:
        self._message = ""
        self._message_timer = None
        self.update_status()

    def status_width(self) -> int:
        """Characters the status line holds (the box's width less its padding)."""
        return max(20, (self.size.width or 80) - 2)

    def status_text(self) -> str:
        if self._message:
            return self._message
        r = self.chart.rendered
        if self.cursor is not None and r is not None and r.data is not None and r.layout:
            if 0 <= self.cursor < r.data.height:
                lines = chart_status_lines(
                    r.data, self.cursor, r.layout.decimals, width=self.status_width(),
                    max_lines=2 if self.size.height >= TALL else 1,
                    cursor_price=self.cursor_level,
                    daily=timeframe_ms(self.timeframe) >= timeframe_ms("1d"),
                )  # fmt: skip
                return "\n".join(lines)
        if not self.loaded:
            return f"{self.symbol} {self.timeframe} {self.exchange}: loading…"
        parts = [f"{self.symbol} {self.timeframe} {self.exchange}", self.source_note]
        if self.n:
            parts.append(f"{min(self.current_window(), self.n)}/{self.n} candles")
            if self.pan_offset:
                parts.append(f"panned {self.pan_offset} back (L: latest)")
            parts.append(f"last {ts_text(int(self.chart.frame['ts'][-1]))} UTC")
        if self.drawings:
            parts.append(f"{len(self.drawings)} drawing(s)")
        if self.trend_anchor:
            parts.append("trend: move to the 2nd point, r")
        return " · ".join(p for p in parts if p)

    def update_status(self) -> None:
        if not self.is_mounted:
            return
        text = self.status_text()
        if text != self._status_shown:  # most ticks don't change it: no repaint
            self._status_shown = text
            status = self.query_one(".chart-status", Static)
            # a second line only while the crosshair needs it (a tall box): the chart then
            # loses a line, so it grows once and stays until the crosshair is hidden
            lines = text.count("\n") + 1
            want = max(lines, self._status_lines) if self.cursor is not None else lines
            if want != self._status_lines:
                self._status_lines = want
                status.styles.height = want
                status.update(text)
            else:  # fixed height: no layout pass needed
                status.update(text, layout=False)
