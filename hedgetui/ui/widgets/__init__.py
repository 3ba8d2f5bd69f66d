"""Reusable Textual widgets."""

from hedgetui.ui.widgets.live_table import LiveTable
from hedgetui.ui.widgets.live_table_columns import Column, abbreviate_number, format_number

__all__ = ["Column", "LiveTable", "abbreviate_number", "format_number"]
