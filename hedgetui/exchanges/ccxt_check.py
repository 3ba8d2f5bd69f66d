"""Checking a live account's API keys (``hedgetui accounts check``): do they work, may they
trade, may they withdraw. A mixin of :class:`~hedgetui.exchanges.ccxt_adapter.CcxtExchange`,
which provides ``_call``, ``redacted``, ``fetch_balance``, ``client``, ``id``, ``account``
and ``read_only``."""

from __future__ import annotations

from dataclasses import dataclass

from ccxt.base.errors import BaseError

from hedgetui.exchanges.base import Priority
from hedgetui.exchanges.errors import AuthenticationError


@dataclass(frozen=True, slots=True)
class AccountCheck:
    """What ``hedgetui accounts check`` reports for one account. ``None`` = unknown."""

    account: str
    exchange: str
    ok: bool
    can_trade: bool | None = None
    can_withdraw: bool | None = None
    warnings: tuple[str, ...] = ()
    error: str = ""  # redacted


class AccountChecks:
    async def check_account(self) -> AccountCheck:
        """Keys work (a balance fetch), and what they may do. Never raises for exchange
        errors: they come back as ``ok=False`` with a redacted message."""
        try:
            await self.fetch_balance()
            can_trade, can_withdraw = await self._permissions()
        except BaseError as exc:
            kind = "keys rejected" if isinstance(exc, AuthenticationError) else "unreachable"
            return AccountCheck(
                self.account,
                self.id,
                ok=False,
                error=f"{kind}: {type(exc).__name__}: {self.redacted(exc)}",
            )
        warnings = []
        if can_withdraw:
            warnings.append(
                "the API key may withdraw funds: create a key without withdrawal permission"
            )
        if can_trade is False and not self.read_only:
            warnings.append("the API key cannot trade: orders will be rejected")
        return AccountCheck(self.account, self.id, True, can_trade, can_withdraw, tuple(warnings))

    async def _permissions(self) -> tuple[bool | None, bool | None]:
        if not self.id.startswith("binance"):
            return None, None  # no unified permission query in ccxt
        client = self.client
        try:
            r = await self._call(Priority.ACCOUNT, client.sapiGetAccountApiRestrictions)
            return bool(r.get("enableSpotAndMarginTrading")), bool(r.get("enableWithdrawals"))
        except BaseError:  # sandbox (no sapi) or endpoint not reachable: the account flags
            r = await self._call(Priority.ACCOUNT, client.privateGetAccount)
            return bool(r.get("canTrade")), bool(r.get("canWithdraw"))
