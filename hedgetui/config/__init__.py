"""hedgetui's configuration: TOML file + HEDGETUI_* environment overrides, validated.

Use :func:`load_config`; it returns a :class:`Config` or raises one :class:`ConfigError`
(print ``str(err)`` and exit with ``err.exit_code``). No file anywhere means the built-in demo
(``cfg.is_demo``). See ``config.example.toml`` at the repository root for every key.
"""

from hedgetui.config.errors import ConfigError
from hedgetui.config.load import DEMO_WATCHLIST, default_config_path, demo_config, load_config
from hedgetui.config.model import (
    PAPER,
    AccountConfig,
    Config,
    MarketConfig,
    PaperConfig,
    PollersConfig,
    RiskConfig,
    StoreConfig,
    UIConfig,
    default_data_dir,
)

__all__ = [
    "PAPER",
    "DEMO_WATCHLIST",
    "AccountConfig",
    "Config",
    "ConfigError",
    "MarketConfig",
    "PaperConfig",
    "PollersConfig",
    "RiskConfig",
    "StoreConfig",
    "UIConfig",
    "default_config_path",
    "default_data_dir",
    "demo_config",
    "load_config",
]
