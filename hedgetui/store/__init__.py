"""hedgetui.store: the local SQLite store (the only place with SQL)."""

from hedgetui.store.db import StoreError
from hedgetui.store.queries import ChangeSet
from hedgetui.store.store import Store
from hedgetui.store.writer import WriterStats

__all__ = ["ChangeSet", "Store", "StoreError", "WriterStats"]
