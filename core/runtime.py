"""The running service's shared parts (settings, database, file store), built once at an
entry point by `configure(settings)` and fetched by actors with `current()`."""
from __future__ import annotations

from dataclasses import dataclass

from core.db import Database, connect
from core.settings import Settings
from core.store import LocalFileStore


@dataclass
class Runtime:
    settings: Settings
    db: Database
    store: LocalFileStore


_current: Runtime | None = None


def configure(settings: Settings, *, migrate: bool = True) -> Runtime:
    global _current
    from validation.rules import configure_rules

    configure_rules(settings.routing_rules)   # an invalid rules file fails at start-up
    settings.home.mkdir(parents=True, exist_ok=True)
    if _current is not None:
        _current.db.dispose()
    _current = Runtime(settings, connect(settings.db_url, run_migrations=migrate),
                       LocalFileStore(settings.files_dir))
    return _current


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("o2c runtime not configured: call core.runtime.configure(settings) "
                           "at the entry point")
    return _current


def reset() -> None:
    global _current
    if _current is not None:
        _current.db.dispose()
    _current = None
