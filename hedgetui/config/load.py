"""Finding, reading and layering the configuration: options > environment > file > defaults.

The file is ``--config PATH``, else ``$HEDGETUI_CONFIG``, else
``<user config dir>/hedgetui/config.toml``; with none of them the built-in demo is used.
Environment variables ``HEDGETUI_<SECTION>__<KEY>`` override single keys (pydantic-settings'
env source, nested by ``__``); accounts are addressed by name:
``HEDGETUI_ACCOUNTS__<NAME>__<KEY>`` (``-`` and ``.`` in the name written as ``_``), or replaced
as a whole by ``HEDGETUI_ACCOUNTS='[...]'`` (JSON).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

import platformdirs
from pydantic import BaseModel, ValidationError
from pydantic_settings import PydanticBaseSettingsSource

from hedgetui.config.checks import check_config, resolve_secrets
from hedgetui.config.envvars import DELIM, ENV_CONFIG, account_overrides, env_layer
from hedgetui.config.errors import ConfigError, describe_error
from hedgetui.config.model import APP_NAME, PAPER, Config
from hedgetui.config.origins import Origins, has_path

__all__ = ["load_config", "demo_config", "default_config_path", "DEMO_WATCHLIST"]


DEMO_WATCHLIST = (
    "BTC/USDT",
    "ETH/USDT",
    "SOL/USDT",
    "BNB/USDT",
    "XRP/USDT",
    "DOGE/USDT",
    "BTC/USDT:USDT",
)


def _demo_data() -> dict[str, Any]:
    # balances stay unset: the paper venue's demo builder seeds them when cfg.is_demo
    return {
        "accounts": [
            {"name": "main", "exchange": PAPER, "tags": ["spot", "core"]},
            {"name": "alt", "exchange": PAPER, "tags": ["spot"]},
            {"name": "perps", "exchange": PAPER, "tags": ["perps"]},
        ],
        "market": {"watchlist": {PAPER: list(DEMO_WATCHLIST)}},
    }


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


# -- pydantic-settings sources ----------------------------------------------------------------


class _DictSource(PydanticBaseSettingsSource):
    """Already-parsed data (the TOML file, the demo, the patched account list)."""

    def __init__(self, settings_cls: type[Config], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field, field_name):  # pragma: no cover - __call__ is overridden
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return self._data


@dataclass
class _Layers:
    sources: list[dict[str, Any]] = field(default_factory=list)  # highest priority first


_ACTIVE: ContextVar[_Layers | None] = ContextVar("hedgetui_config_layers", default=None)


def active_sources(settings_cls, init_settings) -> tuple[PydanticBaseSettingsSource, ...]:
    layers = _ACTIVE.get()
    if layers is None:
        return (init_settings,)
    return (init_settings, *(_DictSource(settings_cls, data) for data in layers.sources))


# -- loading ----------------------------------------------------------------------------------


def load_config(
    path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Load, validate and resolve the configuration, or raise one :class:`ConfigError`.

    ``path`` is ``--config``; ``env`` defaults to ``os.environ``; ``overrides`` (nested dicts,
    e.g. ``{"store": {"path": "x.db"}}``) beat everything else.
    """
    env = dict(os.environ if env is None else env)
    overrides = dict(overrides or {})
    file = _find_file(path, env)
    data = _read_toml(file) if file else _demo_data()
    origins = Origins(file=str(file) if file else None, data=data, overrides=overrides)

    env_data = env_layer(env, data, origins)
    account_patch = account_overrides(env, env_data.get("accounts", data.get("accounts")), origins)
    layers = _Layers([d for d in (account_patch, env_data, data) if d])

    token = _ACTIVE.set(layers)
    try:
        cfg = Config(**overrides)
    except ValidationError as exc:
        raise _translate(exc, origins) from None
    finally:
        _ACTIVE.reset(token)

    for loc, message in check_config(cfg):
        raise origins.error(loc, message)
    for loc, message in resolve_secrets(cfg, env):
        raise origins.error(loc, message)

    cfg = _anchor_store_path(cfg, file, origins, overrides)
    replaced = "accounts" in env_data or "accounts" in overrides
    cfg._is_demo = file is None and not replaced
    cfg._source = file
    return cfg


def demo_config() -> Config:
    """The built-in demo (three paper accounts), ignoring files and the environment."""
    token = _ACTIVE.set(_Layers([_demo_data()]))
    try:
        cfg = Config()
    finally:
        _ACTIVE.reset(token)
    cfg._is_demo = True
    return cfg


def _find_file(path: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path | None:
    if path is not None:
        how = "check the path given to --config"
        chosen = Path(path).expanduser()
    elif env.get(ENV_CONFIG, "").strip():
        how = f"check {ENV_CONFIG}, or unset it to use {default_config_path()}"
        chosen = Path(env[ENV_CONFIG].strip()).expanduser()
    else:
        default = default_config_path()
        if not default.exists():
            return None
        how, chosen = "remove it or make it a file", default
    if chosen.is_dir():
        raise ConfigError(f"this is a directory, not a config file — {how}", file=str(chosen))
    if not chosen.is_file():
        raise ConfigError(f"file not found — {how}", file=str(chosen))
    return chosen


_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        text = file.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read the file: {exc.strerror} — fix it", file=str(file)
        ) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text — save it as UTF-8", file=str(file)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # the message carries the position only; the line itself may hold a pasted secret
        msg = str(exc)
        match = _TOML_POS.search(msg)
        key = f"line {match[1]}, column {match[2]}" if match else None
        reason = _TOML_POS.sub("", msg) if match else msg
        raise ConfigError(
            f"invalid TOML: {reason} — fix the syntax there (strings need quotes, sections "
            "are [name], each account is an [[accounts]] table)",
            file=str(file),
            key=key,
        ) from None


def _translate(exc: ValidationError, origins: Origins) -> ConfigError:
    err = exc.errors(include_url=False)[0]
    loc = tuple(err["loc"])
    if loc and loc[-1] == "[key]":  # pydantic's marker for a bad dict key
        loc = loc[:-1]
    valid = _keys_at(loc[:-1]) if err["type"] == "extra_forbidden" else None
    var = origins.env_hint(loc)

    def hint(best: str) -> str:
        if var and err["type"] == "extra_forbidden":
            return var.rsplit(DELIM, 1)[0] + DELIM + best.upper()
        return best

    return origins.error(loc, describe_error(err, loc, valid, hint))


def _keys_at(loc: tuple) -> list[str] | None:
    """Field names of the model found at ``loc`` (for did-you-mean on unknown keys)."""
    model: Any = Config
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = _inner_model(info.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (list, tuple):
        return _inner_model(get_args(annotation)[0])
    return None


def _anchor_store_path(
    cfg: Config, file: Path | None, origins: Origins, overrides: Mapping[str, Any]
) -> Config:
    """A relative ``store.path`` from the file is relative to the file's directory."""
    path = cfg.store.path
    if not path or path == ":memory:" or file is None:
        return cfg
    if origins.env_hint(("store", "path")) or has_path(overrides, ("store", "path")):
        return cfg
    p = Path(path).expanduser()
    if p.is_absolute():
        return cfg
    store = cfg.store.model_copy(update={"path": str(file.parent / p)})
    return cfg.model_copy(update={"store": store})
