"""LiveTable's pure parts: formatting, overflow, layout, ordering, flashes (no Textual app)."""

from decimal import Decimal

import pytest

from hedgetui.ui.widgets.live_table_columns import (
    Column,
    abbreviate_number,
    compute_layout,
    fit_cell,
    format_cell,
    format_number,
)
from hedgetui.ui.widgets.live_table_model import TableModel


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_format_number_defaults():
    assert format_number(1234567.891) == "1,234,567.89"
    assert format_number(0.000123456) == "0.0001235"
    assert format_number(Decimal("1234.5000")) == "1,234.5000"
    assert format_number(42) == "42"
    assert format_number(1.5, decimals=4) == "1.5000"


def test_format_cell_formatter_with_style_and_none():
    column = Column("pnl", "PnL", numeric=True, formatter=lambda v: (f"{v:+.2f}", "negative"))
    assert format_cell(column, -3.0) == ("-3.00", "negative")
    assert format_cell(column, None) == ("", None)  # the formatter never sees None
    assert format_cell(Column("x", "X", none_text="—"), None) == ("—", None)


@pytest.mark.parametrize(
    ("value", "width", "expected"),
    [
        (1_234_567.89, 6, "1.235M"),
        (1_234_567.89, 5, "1.23M"),
        (-45_678.0, 6, "-45.7k"),
        (123.456789, 6, "123.46"),
        (0.0000123456, 6, "1.2e-5"),
        (0.00123456, 6, "0.0012"),
        (123_456, 2, "##"),
        (Decimal("98765.4321"), 5, "98.8k"),
    ],
)
def test_abbreviate_number_is_explicit(value, width, expected):
    assert abbreviate_number(value, width) == expected


def test_fit_cell_never_cuts_numbers_silently():
    text, shortened = fit_cell("1,234,567.89", 8, "right", 1_234_567.89)
    assert shortened and text == "  1.235M"  # abbreviated, within the width
    # a small number rounded to 0.00 would read as zero: it goes scientific instead
    text, _ = fit_cell("0.00001234", 5, "right", 0.00001234)
    assert "e" in text
    # text is truncated with a visible marker
    assert fit_cell("binance-subaccount-7", 8, "left") == ("binance…", True)
    assert fit_cell("42", 5, "right", 42) == ("   42", False)


def _cols():
    return [
        Column("account", "Account", max_width=12),
        Column("price", "Price", numeric=True),
        Column("qty", "Qty", numeric=True, priority=2),
        Column("note", "Note", priority=5),
        Column("pct", "Pct", numeric=True, priority=1),
    ]


def test_layout_drops_least_important_columns_first():
    wanted = {"account": 12, "price": 10, "qty": 8, "note": 20, "pct": 6}
    full = compute_layout(_cols(), wanted, 200)
    assert [c.key for c in full.columns] == ["account", "price", "qty", "note", "pct"]
    narrow = compute_layout(_cols(), wanted, 35)
    assert narrow.dropped == ("note", "qty")
    assert [c.key for c in narrow.columns] == ["account", "price", "pct"]
    assert narrow.total_width <= 35
    # priority-0 columns are never dropped; text shrinks (to >= 4), numbers never do
    tiny = compute_layout(_cols(), wanted, 16)
    assert [c.key for c in tiny.columns] == ["account", "price"]
    assert dict(zip([c.key for c in tiny.columns], tiny.widths, strict=True)) == {
        "account": 5,
        "price": 10,
    }


def test_model_sort_numbers_none_last_and_total_pinned():
    model = TableModel()
    model.set_columns(_cols())
    model.set_rows(
        [
            ("a", {"account": "a", "price": 5.0}, None),
            ("b", {"account": "B", "price": None}, None),
            ("c", {"account": "c", "price": 50}, None),
            ("t", {"account": "total", "price": 1000.0}, "total"),
            ("d", {"account": "d", "price": Decimal("7.5")}, None),
        ]
    )
    model.sort_by("price")
    assert model.view == ["a", "d", "c", "b", "t"]
    model.sort_by("price", reverse=True)
    assert model.view == ["c", "d", "a", "b", "t"]  # None stays last descending too
    model.sort_by("account")
    assert model.view == ["a", "b", "c", "d", "t"]  # text ignores case
    model.sort_by(None)
    assert model.view == ["a", "b", "c", "t", "d"]
    with pytest.raises(KeyError, match="No column 'nope'"):
        model.sort_by("nope")


def test_model_filter_and_order():
    model = TableModel()
    model.set_columns(_cols())
    for key in ("binance-1", "okx-1", "binance-2"):
        model.upsert_row(key, {"account": key, "price": 1.0})
    model.set_filter("BINANCE")
    assert model.view == ["binance-1", "binance-2"]
    model.set_filter("")
    model.set_order(["okx-1"])
    assert model.view == ["okx-1", "binance-1", "binance-2"]
    with pytest.raises(KeyError, match="Unknown row keys"):
        model.set_order(["nope"])
    with pytest.raises(ValueError, match="Unknown row style 'bold'"):
        model.upsert_row("x", {}, "bold")


def test_model_updates_mark_dirty_and_flash():
    clock = FakeClock()
    model = TableModel(clock=clock, flash_seconds=0.8)
    model.set_columns(_cols())
    model.upsert_row("a", {"account": "a", "price": 10.0})
    model.upsert_row("b", {"account": "b", "price": 10.0})
    model.take_dirty()
    row = model.rows["a"]
    version = row.version
    assert model.update_cells("a", {"price": 11.0})
    assert model.take_dirty() == {"a"}
    assert row.version == version + 1
    assert row.flash_direction("price") == 1
    assert not model.update_cells("a", {"price": 11.0})  # unchanged: nothing to draw
    assert model.take_dirty() == set()
    model.update_cells("b", {"price": 9.0, "account": "bb"})
    assert model.rows["b"].flash_direction("price") == -1
    assert model.rows["b"].flash_direction("account") == 0  # text never flashes
    assert not model.update_cells("missing", {"price": 1.0})
    clock.now += 0.5
    assert not model.expire_flashes(row, clock.now)
    clock.now += 0.4
    assert model.expire_flashes(row, clock.now)
    assert row.flash is None and row.flash_direction("price") == 0


def test_model_set_rows_keeps_known_rows_and_flashes_moves():
    clock = FakeClock()
    model = TableModel(clock=clock)
    model.set_columns(_cols())
    model.set_rows([("a", {"price": 1.0}, None), ("b", {"price": 2.0}, None)])
    model.set_rows([("b", {"price": 2.0}, None), ("a", {"price": 0.5}, "stale")])
    assert model.view == ["b", "a"]
    assert model.rows["a"].flash_direction("price") == -1
    assert model.rows["a"].style == "stale"
    with pytest.raises(ValueError, match="Duplicate row key 'a'"):
        model.set_rows([("a", {}, None), ("a", {}, None)])


def test_column_validation_messages():
    with pytest.raises(ValueError, match="max_width"):
        Column("x", "X", min_width=5, max_width=3)
    with pytest.raises(ValueError, match="align"):
        Column("x", "X", align="middle")  # type: ignore[arg-type]
    model = TableModel()
    with pytest.raises(ValueError, match="Duplicate column keys"):
        model.set_columns([Column("x", "X"), Column("x", "Y")])
