"""Per-rule evaluation state, and its plain-JSON snapshot for persistence.

A snapshot entry carries the rule's canonical text: state is restored only onto the same rule
(same id AND same text), so editing a rule starts it afresh."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RuleState"]

_INT_OR_NONE = ("last_fired", "unacked_since", "last_notice")


@dataclass(slots=True)
class RuleState:
    # Level conditions (>, <, change, volume, equity, stale ...): was the condition true at the
    # last observation? None = never observed. A rule fires when it becomes true.
    active: bool | None = None
    # Cross conditions: the side of the last observation that was not exactly on the level:
    # 1 above, -1 below, 0 unknown. A cross needs a known side and then the other side.
    side: int = 0
    last_fired: int | None = None
    fires: int = 0
    pending: bool = False  # repeat: became true inside the cooldown; fires when it ends
    unacked_since: int | None = None  # until-ack: fired, awaiting acknowledge()
    last_notice: int | None = None  # until-ack: last fire or reminder
    done: bool = False  # once-rule fired, or expired: never fires again
    expired: bool = False
    last_value: object = None  # the last measured value, for display (not persisted)

    def to_dict(self, text: str) -> dict:
        return {
            "text": text,
            "active": self.active,
            "side": self.side,
            "last_fired": self.last_fired,
            "fires": self.fires,
            "pending": self.pending,
            "unacked_since": self.unacked_since,
            "last_notice": self.last_notice,
            "done": self.done,
            "expired": self.expired,
        }

    @classmethod
    def from_dict(cls, data: dict) -> RuleState:
        """Strict: raises ValueError on anything that is not a snapshot entry."""
        if not isinstance(data, dict):
            raise ValueError("state entry is not an object")
        st = cls()
        active = data.get("active")
        if active not in (None, True, False):
            raise ValueError("bad 'active'")
        side = data.get("side", 0)
        if side not in (-1, 0, 1) or isinstance(side, bool):
            raise ValueError("bad 'side'")
        st.active, st.side = active, int(side)
        for name in _INT_OR_NONE:
            value = data.get(name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise ValueError(f"bad {name!r}")
            setattr(st, name, value)
        fires = data.get("fires", 0)
        if not isinstance(fires, int) or isinstance(fires, bool) or fires < 0:
            raise ValueError("bad 'fires'")
        st.fires = fires
        for name in ("pending", "done", "expired"):
            value = data.get(name, False)
            if not isinstance(value, bool):
                raise ValueError(f"bad {name!r}")
            setattr(st, name, value)
        return st
