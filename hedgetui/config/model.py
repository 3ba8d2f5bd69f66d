"""The configuration model: one pydantic model per TOML section, validated field by field.

Checks that need more than one field, the ccxt exchange list or the environment (duplicate
names, exchange ids, secrets) live in :mod:`hedgetui.config.checks`, so that every problem
can be reported at its exact key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlparse

import platformdirs
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from hedgetui.config.fields import (
    CREDENTIAL_KEYS,
    TAG_RE,
    AccountName,
    AssetCode,
    Dec,
    EnvName,
    PositiveDec,
    Seconds,
    Symbol,
    Timeframe,
    dedupe,
    split_commas,
)
from hedgetui.domain.models import TIMEFRAMES, AccountInfo

__all__ = [
    "APP_NAME",
    "PAPER",
    "AccountConfig",
    "StoreConfig",
    "MarketConfig",
    "PollersConfig",
    "RiskConfig",
    "PaperConfig",
    "UIConfig",
    "AlertsConfig",
    "Config",
    "default_data_dir",
]

APP_NAME = "hedgetui"
PAPER = "paper"  # the simulated venue's exchange id


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreConfig(_Section):
    #: database file; None = the platform data dir. ":memory:" keeps nothing on disk.
    path: str | None = None


class AccountConfig(_Section):
    """One exchange account. Secrets are not fields: the ``*_env`` fields NAME environment
    variables, read at load time into private :class:`SecretStr` attributes."""

    name: AccountName
    exchange: str
    api_key_env: EnvName | None = None
    secret_env: EnvName | None = None
    password_env: EnvName | None = None
    tags: Annotated[tuple[str, ...], BeforeValidator(split_commas)] = ()
    sandbox: bool = False
    read_only: bool = False
    api_url: str | None = None
    ccxt_options: dict[str, Any] = Field(default_factory=dict)
    # paper accounts only: starting balances (asset -> amount) and default leverage
    balances: dict[AssetCode, Annotated[Dec, Field(ge=0)]] | None = None
    leverage: Annotated[Dec, Field(ge=1, le=200)] | None = None

    _api_key: SecretStr | None = PrivateAttr(None)
    _secret: SecretStr | None = PrivateAttr(None)
    _password: SecretStr | None = PrivateAttr(None)

    @field_validator("exchange")
    @classmethod
    def _exchange(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError(
                "exchange is empty — use 'paper' or a ccxt exchange id, e.g. 'binance'"
            )
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: tuple[str, ...]) -> tuple[str, ...]:
        for tag in tags:
            if not TAG_RE.fullmatch(tag) or len(tag) > 32:
                raise ValueError(
                    f"invalid tag {tag!r} — tags are short words of letters, digits, '-', '_', "
                    "'.', ':' (e.g. 'spot', 'core')"
                )
        return dedupe(list(tags))

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(
                f"api_url {url!r} is not an http(s) URL — write e.g. 'http://127.0.0.1:8080'"
            )
        return url.rstrip("/")

    @field_validator("ccxt_options")
    @classmethod
    def _ccxt_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        for key in options:
            if key.lower() in CREDENTIAL_KEYS:
                raise ValueError(
                    f"ccxt_options must not hold credentials ({key!r}) — export the secret as an "
                    "environment variable and name it with api_key_env / secret_env / password_env"
                )
        return options

    # -- derived ----------------------------------------------------------------------------

    @property
    def is_paper(self) -> bool:
        return self.exchange == PAPER

    @property
    def api_key(self) -> SecretStr | None:
        return self._api_key

    @property
    def secret(self) -> SecretStr | None:
        return self._secret

    @property
    def password(self) -> SecretStr | None:
        return self._password

    def credentials(self) -> dict[str, str]:
        """ccxt constructor credentials (``apiKey``, ``secret``, ``password``), only those
        set. The values are real secrets: hand them to the adapter, never log them."""
        pairs = (("apiKey", self._api_key), ("secret", self._secret), ("password", self._password))
        return {k: v.get_secret_value() for k, v in pairs if v is not None}

    def with_credentials(
        self, api_key: str | None = None, secret: str | None = None, password: str | None = None
    ) -> AccountConfig:
        """A copy holding these secrets (for tests and programmatic setups)."""
        copy = self.model_copy()
        copy._api_key = SecretStr(api_key) if api_key is not None else None
        copy._secret = SecretStr(secret) if secret is not None else None
        copy._password = SecretStr(password) if password is not None else None
        return copy

    def info(self) -> AccountInfo:
        return AccountInfo(
            name=self.name,
            exchange=self.exchange,
            is_paper=self.is_paper,
            tags=self.tags,
            read_only=self.read_only,
        )


class MarketConfig(_Section):
    #: exchange id -> ccxt unified symbols to watch (tickers, candles)
    watchlist: dict[str, Annotated[tuple[Symbol, ...], BeforeValidator(split_commas)]] = Field(
        default_factory=dict
    )
    timeframes: Annotated[tuple[Timeframe, ...], BeforeValidator(split_commas)] = tuple(TIMEFRAMES)
    #: how many days of candles to backfill per symbol and timeframe
    history_days: int = Field(default=7, ge=1, le=3650)

    @field_validator("watchlist")
    @classmethod
    def _watchlist(cls, watchlist: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return {ex: dedupe(list(symbols)) for ex, symbols in watchlist.items()}

    @field_validator("timeframes")
    @classmethod
    def _timeframes(cls, tfs: tuple[str, ...]) -> tuple[str, ...]:
        if not tfs:
            raise ValueError(f"timeframes is empty — list some of {', '.join(TIMEFRAMES)}")
        return tuple(sorted(set(tfs), key=TIMEFRAMES.__getitem__))


class PollersConfig(_Section):
    """Seconds between polls, per feed."""

    balances: Seconds = 5.0
    positions: Seconds = 5.0
    orders: Seconds = 2.0
    fills: Seconds = 5.0
    tickers: Seconds = 2.0
    candles: Seconds = 15.0
    #: a feed without a successful poll for this long is shown as stale
    stale_after: Seconds = 60.0
    #: upper bound of the exponential backoff after errors
    max_backoff: Seconds = 60.0

    def intervals(self) -> dict[str, float]:
        """feed -> interval (seconds)."""
        return {
            feed: getattr(self, feed)
            for feed in ("balances", "positions", "orders", "fills", "tickers", "candles")
        }


class RiskConfig(_Section):
    """Order-entry guards. Notional amounts are in the market's quote currency."""

    max_notional_per_order: PositiveDec = Decimal(25_000)
    max_notional_per_account_day: PositiveDec = Decimal(250_000)
    max_open_orders: int = Field(default=100, gt=0)  # per account
    max_orders_per_second: float = Field(default=5.0, gt=0, allow_inf_nan=False)  # per account
    #: reject limit prices further than this % from the last price (fat-finger guard)
    price_band_pct: Annotated[Dec, Field(gt=0, le=100)] = Decimal(5)
    #: rising confirmation for live orders: notional above the n-th threshold -> level n
    confirm_live_above: tuple[PositiveDec, ...] = (
        Decimal(1_000),
        Decimal(10_000),
        Decimal(100_000),
    )

    @field_validator("confirm_live_above")
    @classmethod
    def _rising(cls, thresholds: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
        if any(b <= a for a, b in zip(thresholds, thresholds[1:], strict=False)):
            raise ValueError(
                "confirm_live_above thresholds must rise strictly, e.g. [1000, 10000, 100000]"
            )
        return thresholds

    def confirm_level(self, notional: Decimal) -> int:
        """How many thresholds a live order's (or batch's) notional exceeds: 0 = plain."""
        return sum(1 for t in self.confirm_live_above if notional > t)


class PaperConfig(_Section):
    seed: int = 42
    #: start of the simulated clock (None = now); naive times are UTC
    start: datetime | None = None

    @property
    def start_ms(self) -> int | None:
        if self.start is None:
            return None
        start = self.start if self.start.tzinfo else self.start.replace(tzinfo=UTC)
        return int(start.timestamp() * 1000)


class UIConfig(_Section):
    #: values older than this are dimmed
    stale_after: Seconds = 15.0
    theme: str = Field(default="textual-dark", min_length=1)


class AlertsConfig(_Section):
    """Where fired alerts go besides the TUI (toast, bell, Alerts pane)."""

    #: JSON-lines log of every alert; None = hedgetui-alerts.log beside the database.
    #: ``~`` is expanded; a relative path is relative to the database's directory.
    log_file: str | None = Field(default=None, min_length=1)
    #: desktop notifications through notify-send, where it is installed
    desktop: bool = True
    #: POST each alert as JSON (with a Slack/Mattermost-style "text" field); often holds a
    #: token, so it is kept secret (never logged or shown in full)
    webhook_url: SecretStr | None = None
    #: seconds per webhook attempt (failed attempts are retried with backoff)
    webhook_timeout: float = Field(default=5.0, gt=0, le=120, allow_inf_nan=False)
    #: let rules marked ``auto`` send their armed order batch on LIVE accounts without a
    #: confirmation (paper accounts always may)
    allow_live_auto: bool = False

    @field_validator("webhook_url")
    @classmethod
    def _webhook(cls, url: SecretStr | None) -> SecretStr | None:
        if url is None:
            return None
        value = url.get_secret_value().strip()
        if not value:
            return None
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(
                "webhook_url must be an http:// or https:// URL with a host, "
                "e.g. https://hooks.slack.com/services/..."
            )
        return SecretStr(value)


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class Config(BaseSettings):
    """The whole configuration. Build it with :func:`hedgetui.config.load_config`;
    ``Config(...)`` directly is a plain model (defaults + arguments, no file, no env)."""

    model_config = SettingsConfigDict(
        env_prefix="HEDGETUI_",
        env_nested_delimiter="__",
        env_ignore_empty=True,
        case_sensitive=False,
        extra="forbid",
        frozen=True,
    )

    store: StoreConfig = StoreConfig()
    accounts: tuple[AccountConfig, ...] = ()
    market: MarketConfig = MarketConfig()
    pollers: PollersConfig = PollersConfig()
    risk: RiskConfig = RiskConfig()
    paper: PaperConfig = PaperConfig()
    ui: UIConfig = UIConfig()
    alerts: AlertsConfig = AlertsConfig()

    _is_demo: bool = PrivateAttr(False)
    _source: Path | None = PrivateAttr(None)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, *_args, **_kwargs):
        # load_config installs the file/env sources; a bare Config(...) uses its arguments only
        from hedgetui.config.load import active_sources

        return active_sources(settings_cls, init_settings)

    @property
    def is_demo(self) -> bool:
        """True for the built-in demo (no config file anywhere)."""
        return self._is_demo

    @property
    def source(self) -> Path | None:
        """The config file loaded, if any."""
        return self._source

    def resolved_db_path(self) -> Path:
        """``store.path``, else ``<user data dir>/hedgetui.db`` (``hedgetui-demo.db`` for the
        demo, so demo accounts never mix with real ones of the same name). The user data
        directory is ours: it is created here, so a first run on a new machine just works; a
        configured path's directory is the user's and is never created behind their back."""
        if self.store.path:
            return Path(self.store.path).expanduser()
        directory = default_data_dir()
        directory.mkdir(parents=True, exist_ok=True)
        return directory / ("hedgetui-demo.db" if self._is_demo else "hedgetui.db")

    @property
    def account_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.accounts)

    def account(self, name: str) -> AccountConfig:
        for account in self.accounts:
            if account.name == name:
                return account
        raise KeyError(f"no account named {name!r}; configured: {', '.join(self.account_names)}")

    def accounts_tagged(self, tag: str) -> tuple[AccountConfig, ...]:
        return tuple(a for a in self.accounts if tag in a.tags)

    def exchange_ids(self) -> tuple[str, ...]:
        """Every exchange named by an account or the watchlist, in order of appearance."""
        ids = [a.exchange for a in self.accounts] + list(self.market.watchlist)
        return dedupe(ids)

    def watchlist_for(self, exchange: str) -> tuple[str, ...]:
        return self.market.watchlist.get(exchange, ())
