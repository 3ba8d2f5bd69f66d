"""hedgetui.charts: candle charts rendered to text with plotext (the only plotext user).

Pure rendering, no Textual: a UI pane calls :func:`render_chart` off the event loop when the
data, size or view change, keeps the :class:`RenderedChart`, and uses the cheap paths
(:func:`try_patch_last_candle`, :func:`with_cursor`) on the loop between renders.
"""

from hedgetui.charts.layout import MAX_GAP_SLOTS, ChartLayout, Gap, Panel
from hedgetui.charts.render import (
    MIN_HEIGHT,
    MIN_WIDTH,
    LiveUpdate,
    RenderedChart,
    apply_live_update,
    patch_last_candle,
    prepare_candles,
    prepare_live_update,
    render_chart,
    try_patch_last_candle,
    with_cursor,
)
from hedgetui.charts.status import chart_status_line, chart_status_lines
from hedgetui.charts.view import ChartView, HLine, LineKind, TrendLine, split_indicators

__all__ = [
    "MAX_GAP_SLOTS",
    "MIN_HEIGHT",
    "MIN_WIDTH",
    "ChartLayout",
    "ChartView",
    "Gap",
    "HLine",
    "LineKind",
    "LiveUpdate",
    "Panel",
    "RenderedChart",
    "TrendLine",
    "apply_live_update",
    "chart_status_line",
    "chart_status_lines",
    "patch_last_candle",
    "prepare_candles",
    "prepare_live_update",
    "render_chart",
    "split_indicators",
    "try_patch_last_candle",
    "with_cursor",
]
