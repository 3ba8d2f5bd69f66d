"""LiveTable in a running app (App.run_test + Pilot); time comes from an injected clock."""

from __future__ import annotations

from textual.app import App, ComposeResult

from hedgetui.ui.widgets import Column, LiveTable


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingTable(LiveTable):
    """Records which content lines were refreshed (sent to the compositor for repainting)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lines: list[int] = []
        self.regions: list = []

    def refresh(self, *regions, **kwargs):
        if hasattr(self, "lines"):
            if regions:
                self.regions.extend(regions)
                for region in regions:
                    self.lines.extend(region.line_range)
            elif kwargs.get("repaint", True):
                self.lines.append(-1)  # everything
        return super().refresh(*regions, **kwargs)


class TableApp(App):
    def __init__(self, table: LiveTable) -> None:
        super().__init__()
        self.table = table
        self.messages: list[tuple[str, object, int]] = []

    def compose(self) -> ComposeResult:
        yield self.table

    def on_live_table_row_highlighted(self, message: LiveTable.RowHighlighted) -> None:
        self.messages.append(("highlighted", message.key, message.index))

    def on_live_table_row_selected(self, message: LiveTable.RowSelected) -> None:
        self.messages.append(("selected", message.key, message.index))

    def on_live_table_sort_requested(self, message: LiveTable.SortRequested) -> None:
        self.messages.append(("sort", message.column, int(message.reverse)))


def pnl(value: float) -> tuple[str, str | None]:
    return f"{value:+,.2f}", "positive" if value > 0 else "negative" if value < 0 else None


COLUMNS = [
    Column("account", "Account", max_width=12),
    Column("asset", "Asset", max_width=6),
    Column("price", "Price", numeric=True),
    Column("qty", "Qty", numeric=True, priority=2),
    Column("pnl", "PnL", numeric=True, formatter=pnl),
    Column("note", "Note", priority=5),
]


def make_rows(n: int = 10) -> list[tuple[str, dict, str | None]]:
    rows = []
    for i in range(n):
        price = None if i == 3 else 100.0 + i
        values = {
            "account": f"acct-{i}",
            "asset": "BTC",
            "price": price,
            "qty": i * 0.5,
            "pnl": i - 5.0,
            "note": "ok",
        }
        rows.append((f"r{i}", values, None))
    return rows


def text(table: LiveTable, y: int) -> str:
    return table.render_line(y).text


async def test_rows_render_with_header_and_right_aligned_numbers():
    table = LiveTable(COLUMNS, clock=FakeClock())
    table.set_rows(make_rows(5) + [("t", {"account": "TOTAL", "pnl": -15.0}, "total")])
    app = TableApp(table)
    async with app.run_test(size=(80, 12)) as pilot:
        await pilot.pause()
        header = text(table, 0)
        assert header.split() == ["Account", "Asset", "Price", "Qty", "PnL", "Note"]
        assert text(table, 1).split() == ["acct-0", "BTC", "100.00", "0.00", "-5.00", "ok"]
        assert text(table, 4).split() == ["acct-3", "BTC", "1.50", "-2.00", "ok"]  # None: blank
        price_end = header.index("Price") + len("Price")
        assert text(table, 2)[:price_end].endswith("101.00")  # right-aligned under header
        assert text(table, 6).split() == ["TOTAL", "-15.00"]
        assert table.row_order == ("r0", "r1", "r2", "r3", "r4", "t")


async def test_update_redraws_only_that_row_on_the_next_frame():
    table = CountingTable(COLUMNS, clock=FakeClock())
    table.set_rows(make_rows(10))
    app = TableApp(table)
    async with app.run_test(size=(80, 14)) as pilot:
        await pilot.pause()
        table.flush()
        await pilot.pause()
        table.lines.clear()
        table.regions.clear()
        built = table.rendered_rows
        frames = []  # screen lines each frame writes to the terminal
        display = app._display

        def spy(screen, update):
            if update is not None and hasattr(update, "spans"):
                frames.append(sorted({y for y, _, _ in update.spans}))
            display(screen, update)

        app._display = spy

        for i in range(50):  # a burst of updates to one row: coalesced into one redraw
            table.update_cells("r4", {"qty": 1.0 + i / 100})  # same width: no relayout
        assert table.lines == [] and table.rendered_rows == built  # nothing drawn per update
        table.flush()
        await pilot.pause()
        assert table.lines == [5]  # header is line 0, r4 is the 5th row
        assert table.rendered_rows == built + 1
        assert frames == [[5]]  # one frame, writing only that line
        qty_x = text(table, 0).index(" Qty")
        assert [(r.x, r.y, r.width) for r in table.regions] == [(qty_x, 5, 4)]  # only the cell
        assert "1.49" in text(table, 5)

        table.lines.clear()
        table.update_cells("r7", {"note": "x"})
        table.update_cells("r2", {"note": "y"})
        table.flush()
        await pilot.pause()
        assert sorted(table.lines) == [3, 8]


async def test_flash_appears_and_ends_without_redrawing_other_rows():
    clock = FakeClock()
    table = CountingTable(COLUMNS, clock=clock, flash_seconds=0.8)
    table.set_rows(make_rows(6))
    app = TableApp(table)
    async with app.run_test(size=(80, 12)) as pilot:
        await pilot.pause()
        table.flush()
        await pilot.pause()
        up = table.get_component_rich_style("live-table--flash-up", partial=True)
        down = table.get_component_rich_style("live-table--flash-down", partial=True)

        def style_of(y: int, needle: str):
            for segment in table.render_line(y):
                if needle in segment.text:
                    return segment.style
            raise AssertionError(f"{needle!r} not on line {y}")

        table.update_cells("r1", {"price": 150.0})
        table.update_cells("r2", {"price": 50.0})
        table.flush()
        await pilot.pause()
        assert style_of(2, "150.00").bgcolor == up.bgcolor
        assert style_of(3, "50.00").bgcolor == down.bgcolor
        assert style_of(2, "acct-1").bgcolor != up.bgcolor  # only the cell flashes

        built = table.rendered_rows
        table.lines.clear()
        clock.now += 0.5  # still flashing: frames cost nothing
        table.flush()
        await pilot.pause()
        assert table.lines == [] and table.rendered_rows == built

        clock.now += 0.4  # flash over: exactly those two rows are redrawn, once
        table.flush()
        await pilot.pause()
        assert sorted(table.lines) == [2, 3]
        assert table.rendered_rows == built + 2
        assert style_of(2, "150.00").bgcolor != up.bgcolor
        table.lines.clear()
        table.flush()
        await pilot.pause()
        assert table.lines == []


async def test_sort_by_column_numeric_with_none_last():
    table = LiveTable(COLUMNS, clock=FakeClock())
    rows = make_rows(5)
    rows[1][1]["price"] = 500.0
    table.set_rows(rows)
    app = TableApp(table)
    async with app.run_test(size=(80, 12)) as pilot:
        await pilot.pause()
        table.sort_by("price")
        table.flush()
        assert table.row_order == ("r0", "r2", "r4", "r1", "r3")
        assert "Price▲" in text(table, 0) or "▲Price" in text(table, 0)

        # clicking a numeric header sorts biggest first; None still last
        x = text(table, 0).index("Price")
        await pilot.click(LiveTable, offset=(x, 0))
        table.flush()
        assert table.row_order == ("r1", "r4", "r2", "r0", "r3")
        assert "▼Price" in text(table, 0)
        assert ("sort", "price", 1) in app.messages

        # live values re-sort (throttled by resort_seconds: 0 here means every frame)
        table._resort_seconds = 0
        table.update_cells("r0", {"price": 999.0})
        table.flush()
        assert table.row_order[0] == "r0"


async def test_cursor_keys_and_messages():
    table = LiveTable(COLUMNS, clock=FakeClock())
    table.set_rows(make_rows(30))
    app = TableApp(table)
    async with app.run_test(size=(80, 12)) as pilot:
        table.focus()
        await pilot.pause()
        table.flush()
        await pilot.pause()
        assert table.cursor_key == "r0"
        await pilot.press("j", "j", "down")
        assert table.cursor_key == "r3"
        await pilot.press("k")
        assert table.cursor_index == 2
        await pilot.press("G")
        assert table.cursor_key == "r29"
        assert table.scroll_y > 0  # the cursor row was scrolled into view
        await pilot.pause()
        assert "acct-29" in text(table, 11)  # the last of 11 row lines under the header
        await pilot.press("g")
        assert table.cursor_key == "r0" and table.scroll_y == 0
        await pilot.press("pagedown")
        assert table.cursor_index == 10  # a page keeps one row of context
        await pilot.press("end", "pageup", "enter")
        await pilot.pause()
        assert table.cursor_index == 19
        assert app.messages[-1] == ("selected", "r19", 19)
        assert ("highlighted", "r3", 3) in app.messages

        # the cursor follows its row when the order changes, and survives removal
        table.sort_by("pnl", reverse=True)
        table.flush()
        assert table.cursor_key == "r19" and table.cursor_index == 10
        table.remove_row("r19")
        table.flush()
        assert table.cursor_index == 10 and table.cursor_key == "r18"


async def test_narrow_terminal_drops_low_priority_columns_and_keeps_numbers_exact():
    columns = [
        Column("account", "Account", max_width=12),
        Column("value", "Value", numeric=True, width=8),  # fixed: cannot widen
        Column("price", "Price", numeric=True, priority=1),
        Column("qty", "Qty", numeric=True, priority=3),
        Column("note", "Note", priority=9),
    ]
    values = {"account": "acct", "value": 1_234_567.89, "price": 42.0, "qty": 1.0, "note": "n"}

    app = TableApp(LiveTable(columns, clock=FakeClock()))
    table = app.table
    table.set_rows([("a", values, None)])
    async with app.run_test(size=(26, 8)) as pilot:
        await pilot.pause()
        assert table.visible_columns == ("account", "value", "price")
        assert table.dropped_columns == ("note", "qty")
        row = text(table, 1)
        assert "1.235M" in row  # abbreviated explicitly, never "1,234,56"
        assert "1,234,56" not in row

    app = TableApp(LiveTable(columns, clock=FakeClock()))
    table = app.table
    table.set_rows([("a", values, None)])
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        assert table.dropped_columns == ()
        # an auto-width column widens on the next frame (and the least important column
        # makes room); until then the value is shown in an explicit short form
        table.update_cells("a", {"price": 12_345_678.5})
        assert "12.35M" in text(table, 1)  # rendered before the next frame: explicit form
        table.flush()  # the frame widens the column
        await pilot.pause()
        assert "12,345,678.50" in text(table, 1)
        assert table.dropped_columns == ("note",)


async def test_filter_and_row_styles():
    table = LiveTable(COLUMNS, clock=FakeClock())
    table.set_rows(make_rows(4))
    app = TableApp(table)
    async with app.run_test(size=(80, 12)) as pilot:
        await pilot.pause()
        table.set_row_style("r1", "stale")
        table.set_filter("ACCT-1")
        table.flush()
        await pilot.pause()
        assert table.row_order == ("r1",)
        assert text(table, 2).strip() == ""
        stale = table.get_component_rich_style("live-table--stale", partial=True)
        segment = next(s for s in table.render_line(1) if "acct-1" in s.text)
        assert segment.style.dim == stale.dim is True
        negative = table.get_component_rich_style("live-table--negative", partial=True)
        segment = next(s for s in table.render_line(1) if "-4.00" in s.text)
        assert segment.style.color == negative.color


def test_snapshot_small_table_80x24(snap_compare):
    clock = FakeClock()

    def build() -> TableApp:
        table = LiveTable(COLUMNS, clock=clock)
        rows = make_rows(8)
        rows.append(("sub", {"account": "subtotal", "pnl": -12.0}, "subtotal"))
        rows.append(("tot", {"account": "TOTAL", "qty": 14.0, "pnl": -12.0}, "total"))
        table.set_rows(rows)
        return TableApp(table)

    async def run_before(pilot) -> None:
        table = pilot.app.table
        table.flush()
        table.update_cells("r2", {"price": 200.0})  # flashes up; the clock is frozen
        table.update_cells("r5", {"price": 1.0})
        table.sort_by("pnl", reverse=True)
        table.flush()
        await pilot.pause()

    assert snap_compare(build(), terminal_size=(80, 24), run_before=run_before)


async def test_offscreen_updates_cost_nothing_and_rows_come_and_go():
    table = CountingTable(COLUMNS, clock=FakeClock())
    table.set_rows(make_rows(40))
    app = TableApp(table)
    async with app.run_test(size=(80, 10)) as pilot:  # 9 row lines: r0..r8 shown
        await pilot.pause()
        table.flush()
        await pilot.pause()
        table.lines.clear()
        built = table.rendered_rows
        table.update_cells("r30", {"price": 1.0})  # off screen
        table.flush()
        await pilot.pause()
        assert table.lines == [] and table.rendered_rows == built
        table.scroll_to(y=25, animate=False)  # r30 comes into view with its new value
        await pilot.pause()
        assert "acct-30" in text(table, 6) and "1.00" in text(table, 6)

        table.scroll_to(y=0, animate=False)
        await pilot.pause()
        table.lines.clear()
        table.remove_row("r2")  # rows below move up: their lines repaint, whole
        table.upsert_row("new", {"account": "acct-new", "price": 5.0})  # appended, off screen
        table.flush()
        await pilot.pause()
        assert table.lines == list(range(3, 10))
        assert [text(table, y).split()[0] for y in (2, 3)] == ["acct-1", "acct-3"]
        assert table.row_order[-1] == "new" and table.row_count == 40

        table.set_columns([Column("account", "Name"), Column("price", "Px", numeric=True)])
        table.flush()
        await pilot.pause()
        assert text(table, 0).split() == ["Name", "Px"]
        assert text(table, 1).split() == ["acct-0", "100.00"]
