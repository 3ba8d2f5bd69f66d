"""Where a value came from (file key, environment variable, options), to blame the right one.

Values are layered (options > environment > file); an error found at a key is reported
against the layer that supplied it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hedgetui.config.errors import ConfigError, format_key

__all__ = ["Origins", "has_path"]

OPTIONS = "command-line options"


@dataclass
class Origins:
    """Where values came from, to name the right place in an error."""

    file: str | None
    data: dict[str, Any] = field(default_factory=dict)  # the file's (or demo's) data
    env: dict[tuple, str] = field(default_factory=dict)  # loc prefix -> env var name
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def error(self, loc: tuple, message: str) -> ConfigError:
        norm = tuple(_norm(p) for p in loc)
        if has_path(self.overrides, loc):  # options beat the environment
            return ConfigError(message, file=self.file, key=format_key(loc), where=OPTIONS)
        for n in range(len(loc), 0, -1):
            var = self.env.get(tuple(_norm(p) for p in loc[:n]))
            if var:
                rest = format_key(loc[n:])
                return ConfigError(
                    f"{rest}: {message}" if rest else message,
                    file=self.file,
                    key=var,
                    env_var=var,
                )
        if not has_path(self.data, loc):
            # the value at loc was assembled from env vars below it (e.g. a whole table)
            var = next((v for k, v in self.env.items() if k[: len(loc)] == norm), None)
            if var:
                return ConfigError(message, file=self.file, key=var, env_var=var)
        where = None if self.file else "built-in demo configuration"
        return ConfigError(message, file=self.file, key=format_key(loc), where=where)

    def env_hint(self, loc: tuple) -> str | None:
        for n in range(len(loc), 0, -1):
            var = self.env.get(tuple(_norm(p) for p in loc[:n]))
            if var:
                return var
        return None


def _norm(part: str | int) -> str | int:
    return part.lower() if isinstance(part, str) else part


def has_path(data: Any, loc: tuple) -> bool:
    for part in loc:
        if isinstance(data, Mapping) and part in data:
            data = data[part]
        elif isinstance(data, list | tuple) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return False
    return bool(loc)
