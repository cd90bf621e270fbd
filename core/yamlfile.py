"""Reading the YAML configuration files (capture channels, routing rules): one place that
turns a missing file or bad YAML into a one-line `ConfigError` naming the file."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from core.errors import ConfigError


def read_yaml(path: str | Path, what: str) -> Any:
    """The parsed document at `path`; `what` names it in errors ("routing rules")."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{what} {p}: cannot read the file ({exc.strerror or exc})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        first = " ".join(str(exc).split())
        raise ConfigError(f"{what} {p}: not valid YAML: {first}") from None
