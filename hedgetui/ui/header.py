"""The top bar: every account with its PAPER/LIVE badge and health."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from hedgetui.domain import HealthState
from hedgetui.ui.portfolio import PortfolioState

_STATE_STYLE = {
    HealthState.OK: ("●", "green"),
    HealthState.STARTING: ("○", "yellow"),
    HealthState.BACKOFF: ("▲", "yellow"),
    HealthState.STOPPED: ("✖", "red"),
}


class AccountsBar(Static):
    attach = False

    def on_mount(self) -> None:
        self.update(Text.assemble(("hedgetui ", "bold"), ("starting…", "dim")))

    def show(self, state: PortfolioState) -> None:
        text = Text.assemble(("hedgetui", "bold"))
        if self.attach:
            text.append(" [attached]", style="cyan")
        for name, info in sorted(state.accounts.items()):
            health = [h.state for h in state.health.values() if h.account == name]
            worst = next(
                (
                    s
                    for s in (HealthState.STOPPED, HealthState.BACKOFF, HealthState.STARTING)
                    if s in health
                ),
                HealthState.OK,
            )
            mark, colour = _STATE_STYLE[worst if health else HealthState.STARTING]
            text.append("  ")
            text.append(mark, style=colour)
            text.append(f" {name} ")
            if info.is_paper:
                text.append("PAPER", style="black on yellow")
            else:
                text.append("LIVE", style="bold white on red")
        self.update(text)
