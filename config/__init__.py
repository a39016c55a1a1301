"""Environment settings: typed, frozen models parsed from ``environments/<name>.yaml``."""

from config.environment import Environment, load_environments, parse_environment
from config.reader import ConfigError

__all__ = ["ConfigError", "Environment", "load_environments", "parse_environment"]
