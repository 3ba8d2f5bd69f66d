"""Suite-wide guards."""

import threading

import pytest


@pytest.fixture(autouse=True, scope="session")
def _no_leaked_threads():
    """A store left open keeps an aiosqlite thread alive, and pytest would then hang at exit
    instead of failing: name the leak at the end of the session."""
    before = {t.ident for t in threading.enumerate()}
    yield
    leaked = [
        t for t in threading.enumerate() if t.ident not in before and not t.daemon and t.is_alive()
    ]
    for t in leaked:
        t.join(timeout=2)
    leaked = [t.name for t in leaked if t.is_alive()]
    assert not leaked, f"threads left running (an unclosed Store?): {leaked}"
