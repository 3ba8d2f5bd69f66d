from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from hedgetui.charts import (
    HLine,
    LineKind,
    apply_live_update,
    patch_last_candle,
    prepare_live_update,
    render_chart,
    split_indicators,
    try_patch_last_candle,
    with_cursor,
)
from hedgetui.domain.models import Candle

from .conftest import HOUR, candles, view

OV, OSC = split_indicators("ema:20,bbands:20:2,rsi:14,macd")


def _with_last(frame: pl.DataFrame, c: Candle) -> pl.DataFrame:
    row = pl.DataFrame({k: [getattr(c, k)] for k in frame.columns}, schema=frame.schema)
    return pl.concat([frame.filter(pl.col("ts") != c.ts), row])


def _moved(frame: pl.DataFrame, delta: float, vol: float = 1.0) -> Candle:
    last = frame.row(-1, named=True)
    close = last["close"] + delta
    return Candle(last["ts"], last["open"], max(last["high"], close), min(last["low"], close),
                  close, last["volume"] + vol)  # fmt: skip


@pytest.fixture(scope="module")
def live_view():
    return view(overlays=OV, oscillators=OSC, height=48,
                hlines=(HLine(64_000.0, LineKind.ENTRY),))  # fmt: skip


@pytest.fixture(scope="module")
def rendered(frame, live_view):
    return render_chart(frame, live_view)


@pytest.mark.parametrize("delta", [0.0, 3.5, 40.0, -70.0])
def test_patch_equals_full_render(frame, live_view, rendered, delta):
    c = _moved(frame, delta)
    patched = try_patch_last_candle(rendered, c)
    assert patched is not None
    full = render_chart(_with_last(frame, c), live_view)
    assert patched.lines == full.lines
    assert patched.plain == full.plain
    assert patched.layout == full.layout
    assert patched.data.equals(full.data)
    assert [[(s.text, s.style) for s in ln] for ln in patched.segment_lines] == [
        [(s.text, s.style) for s in ln] for ln in full.segment_lines
    ]


def test_patch_draws_the_live_candle(frame, rendered):
    c = _moved(frame, 80.0)
    patched = try_patch_last_candle(rendered, c)
    lay = patched.layout
    col = lay.columns[-1]
    body = [lay.price_to_row(p) for p in (c.open + 10, c.close - 10)]
    assert all(patched.plain[ln][col] == "█" for ln in range(min(body), max(body) + 1))
    assert patched.plain[lay.price_to_row(c.close)][lay.gutter :].startswith(
        f"{c.close:,.{lay.decimals}f}"
    )


def test_patch_when_panned_moves_only_the_last_price(frame, live_view):
    v = dataclasses.replace(live_view, offset=5)
    r = render_chart(frame, v)
    c = _moved(frame, 30.0)
    patched = try_patch_last_candle(r, c)
    assert patched is not None
    assert patched.lines == render_chart(_with_last(frame, c), v).lines


def test_new_candle_or_range_change_needs_a_full_render(frame, live_view, rendered):
    last = frame.row(-1, named=True)
    new = Candle(last["ts"] + HOUR, last["close"], last["close"] + 5, last["close"] - 5,
                 last["close"] + 1, 3.0)  # fmt: skip
    assert try_patch_last_candle(rendered, new) is None
    grown = patch_last_candle(rendered, new)
    assert grown.lines == render_chart(_with_last(frame, new), live_view).lines
    assert grown.layout.last == frame.height

    spike = _moved(frame, 5_000.0)
    assert try_patch_last_candle(rendered, spike) is None
    assert (
        patch_last_candle(rendered, spike).lines
        == render_chart(_with_last(frame, spike), live_view).lines
    )


def test_update_prepared_for_another_render_is_refused(frame, live_view, rendered):
    update = prepare_live_update(rendered, _moved(frame, 1.0))
    other = render_chart(frame, live_view)
    assert apply_live_update(other, update) is None
    assert apply_live_update(rendered, update) is not None


def test_with_cursor_equals_full_render(frame, live_view, rendered):
    for cursor in (-1, -30, frame.height - 60):
        moved = with_cursor(rendered, cursor)
        full = render_chart(frame, dataclasses.replace(live_view, cursor=cursor))
        assert moved.lines == full.lines
    lay = rendered.layout
    shown = with_cursor(rendered, -30)
    col = lay.column_of(frame.height - 30)
    assert "┆" in [shown.plain[ln][col] for ln in range(lay.height)]
    assert with_cursor(shown, None).lines == rendered.lines
    assert with_cursor(rendered, -10_000).lines == rendered.lines  # not visible: no crosshair


def test_layout_maps_columns_back_to_candles(rendered):
    lay = rendered.layout
    for i in (lay.first, lay.first + 7, lay.last):
        assert lay.index_at(lay.column_of(i)) == i
    assert lay.index_at(-1) is None


def test_message_chart_grows_into_a_chart():
    empty = render_chart(candles(0), view())
    c = Candle(1_767_225_600_000, 1.0, 2.0, 0.5, 1.5, 10.0)
    assert try_patch_last_candle(empty, c) is None
    first = patch_last_candle(empty, c)
    assert first.has_chart and first.layout.first == first.layout.last == 0
