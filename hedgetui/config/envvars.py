"""HEDGETUI_* environment overrides.

``HEDGETUI_<SECTION>__<KEY>`` goes through pydantic-settings' env source (over an injected
mapping, not ``os.environ``). Accounts, a list, are addressed by name instead:
``HEDGETUI_ACCOUNTS__<NAME>__<KEY>`` patches that account; ``HEDGETUI_ACCOUNTS`` (JSON)
replaces them all. Every variable used is recorded in :class:`Origins` for error messages.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from pydantic_settings import EnvSettingsSource
from pydantic_settings.sources.utils import parse_env_vars

from hedgetui.config.checks import name_key
from hedgetui.config.errors import ConfigError, suggest
from hedgetui.config.model import Config
from hedgetui.config.origins import Origins

__all__ = ["ENV_PREFIX", "ENV_CONFIG", "env_layer", "account_overrides"]

ENV_PREFIX = "HEDGETUI_"
ENV_CONFIG = "HEDGETUI_CONFIG"
DELIM = "__"


class _EnvSource(EnvSettingsSource):
    """pydantic-settings' env source over an injected mapping instead of ``os.environ``."""

    def __init__(self, settings_cls: type[Config], env: Mapping[str, str]) -> None:
        self._mapping = env
        self.bad_json: list[str] = []
        super().__init__(settings_cls)

    def _load_env_vars(self):
        return parse_env_vars(
            self._mapping, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )

    def decode_complex_value(self, field_name, field, value):
        try:
            return super().decode_complex_value(field_name, field, value)
        except ValueError:
            if isinstance(value, str) and not value.lstrip().startswith(("[", "{")):
                return value  # "a,b" lists are split by the model; others fail with a type error
            self.bad_json.append(value)
            raise


def _env_vars(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.upper().startswith(ENV_PREFIX) and v != ""}


def _is_account_var(upper: str) -> bool:
    return upper.startswith(f"{ENV_PREFIX}ACCOUNTS{DELIM}")


def _secret_names(data: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for account in data.get("accounts") or []:
        if isinstance(account, dict):
            for key in ("api_key_env", "secret_env", "password_env"):
                if isinstance(account.get(key), str):
                    names.add(account[key].upper())
    return names


def env_layer(env: Mapping[str, str], data: dict[str, Any], origins: Origins) -> dict[str, Any]:
    """The HEDGETUI_* overrides via pydantic-settings, recording which var set which key."""
    sections = list(Config.model_fields)
    secrets = _secret_names(data)
    plain: dict[str, str] = {}
    for name, value in _env_vars(env).items():
        upper = name.upper()
        if upper == ENV_CONFIG or upper in secrets or _is_account_var(upper):
            continue
        parts = upper[len(ENV_PREFIX) :].split(DELIM)
        head = parts[0].lower()
        if head in sections:
            origins.env[tuple(p.lower() for p in parts)] = name
            plain[name] = value
            continue
        typo = next((s for s in sections if head.startswith(s + "_")), None)
        if typo:
            fixed = f"{ENV_PREFIX}{typo.upper()}{DELIM}{upper[len(ENV_PREFIX) + len(typo) + 1 :]}"
            raise ConfigError(
                f"not a hedgetui setting — nested keys are joined by two underscores: {fixed}",
                key=name,
                env_var=name,
                file=origins.file,
            )
        if len(parts) > 1:
            best = suggest(head, sections)
            hint = f"did you mean {ENV_PREFIX}{best.upper()}{DELIM}...?" if best else ""
            raise ConfigError(
                f"unknown section '{head}' — {hint or 'sections are ' + ', '.join(sections)}",
                key=name,
                env_var=name,
                file=origins.file,
            )
    source = _EnvSource(Config, plain)
    try:
        return source()
    except ValueError:  # pydantic-settings' SettingsError: a JSON value did not parse
        var = next((k for k, v in plain.items() if v in source.bad_json), None)
        raise ConfigError(
            'not valid JSON — write lists as ["a", "b"] (or a,b) and tables as {"key": 1}',
            key=var,
            env_var=var,
            file=origins.file,
        ) from None


_COMPLEX_ACCOUNT_FIELDS = {"tags", "balances", "ccxt_options"}


def account_overrides(env: Mapping[str, str], base: Any, origins: Origins) -> dict[str, Any] | None:
    """Apply ``HEDGETUI_ACCOUNTS__<NAME>__<KEY>`` vars to the account list they patch."""
    wanted = [(k, v) for k, v in _env_vars(env).items() if _is_account_var(k.upper())]
    if not wanted:
        return None
    accounts = copy.deepcopy(list(base or []))
    names = [
        name_key(a["name"]) if isinstance(a, dict) and isinstance(a.get("name"), str) else None
        for a in accounts
    ]
    for var, value in sorted(wanted):
        rest = var[len(ENV_PREFIX) + len("ACCOUNTS") + len(DELIM) :].split(DELIM)
        if len(rest) < 2 or not all(rest):
            raise ConfigError(
                f"write {ENV_PREFIX}ACCOUNTS{DELIM}<NAME>{DELIM}<KEY>, e.g. "
                f"{ENV_PREFIX}ACCOUNTS{DELIM}MAIN{DELIM}READ_ONLY=true",
                key=var,
                env_var=var,
                file=origins.file,
            )
        who, key, *sub = rest
        index = _find_account(who, names)
        if index is None:
            listed = ", ".join(n for n in names if n) or "none"
            raise ConfigError(
                f"no account named '{who.lower()}' (configured: {listed}) — fix the name, or set "
                f"{ENV_PREFIX}ACCOUNTS to a JSON list to replace all accounts",
                key=var,
                env_var=var,
                file=origins.file,
            )
        key = key.lower()
        path = [key, *sub]
        target = accounts[index]
        if isinstance(target, dict):
            for part in path[:-1]:
                if not isinstance(target.get(part), dict):
                    target[part] = {}
                target = target[part]
            target[path[-1]] = _account_value(key, sub, value, var, origins)
        origins.env[("accounts", index, *(p.lower() for p in path))] = var
    return {"accounts": accounts}


def _find_account(who: str, names: list[str | None]) -> int | None:
    key = who.lower()
    if key in names:
        return names.index(key)
    if key.isdigit() and int(key) < len(names):
        return int(key)
    return None


def _account_value(key: str, sub: list[str], value: str, var: str, origins: Origins) -> Any:
    text = value.strip()
    if key == "ccxt_options" and sub:
        try:  # option leaves are JSON scalars when they parse (true, 3), else strings
            return json.loads(text)
        except ValueError:
            return value
    if key in _COMPLEX_ACCOUNT_FIELDS and not sub and text.startswith(("[", "{")):
        try:
            return json.loads(text)
        except ValueError:
            raise ConfigError(
                'not valid JSON — write lists as ["a", "b"] and tables as {"key": 1}',
                key=var,
                env_var=var,
                file=origins.file,
            ) from None
    return value
