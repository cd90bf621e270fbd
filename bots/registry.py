"""Recipes registered by name, their per-portal configuration, and the circuit breaker.

A recipe is one package under `bots.recipes` (``pages.py`` with page objects, ``tasks.py``
with task functions) whose ``tasks`` module calls `register(Recipe(...))`; `discover()`
imports every such package, so adding a portal means adding one package.

Per-portal configuration (`PortalConfig`) comes from environment variables
``O2C_PORTAL_<NAME>_URL / _USER / _PASSWORD / _CONCURRENCY / _MIN_INTERVAL_S / _RETRIES``
or from a JSON secrets file (``{"acme": {"url": ..., "user": ..., "password": ...}}``,
default ``<home>/secrets/portals.json``, or ``O2C_PORTAL_SECRETS``).  Passwords never
appear in `repr`, logs, screenshots or traces.

`CircuitBreaker` keeps disabled recipes in ``<home>/bots/breakers.json`` so that every
worker process sees a recipe disabled after `RecipeBroken` until `reset`."""
from __future__ import annotations

import fcntl
import importlib
import json
import os
import pkgutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bots.errors import PortalTransient, UnknownRecipe
from core.errors import PermanentError

if TYPE_CHECKING:
    from bots.recipes import TaskContext


@dataclass(frozen=True)
class Task:
    """One thing a recipe can do with a document.

    business_key(snapshot) -> the portal's key (PO number, invoice number, ...);
    find_existing(ctx) -> confirmation number when the portal already has the record;
    submit(ctx) -> confirmation number (calls ``ctx.final_submit`` for the last click)."""

    name: str
    doc_types: tuple[str, ...]
    business_key: Callable[[dict[str, Any]], str]
    find_existing: Callable[[TaskContext], str | None]
    submit: Callable[[TaskContext], str]


@dataclass(frozen=True)
class Recipe:
    name: str
    title: str
    login: Callable[[TaskContext, PortalConfig], None]
    tasks: dict[str, Task]
    default_url: str = ""

    def task_for(self, doc_type: str | None) -> Task | None:
        return next((t for t in self.tasks.values() if doc_type in t.doc_types), None)


_RECIPES: dict[str, Recipe] = {}
_discovered = False


def register(recipe: Recipe) -> Recipe:
    _RECIPES[recipe.name] = recipe
    return recipe


def discover() -> dict[str, Recipe]:
    """Import every recipe package under `bots.recipes` (once)."""
    global _discovered
    if not _discovered:
        import bots.recipes as pkg

        for info in pkgutil.iter_modules(pkg.__path__):
            if info.ispkg:
                importlib.import_module(f"bots.recipes.{info.name}.tasks")
        _discovered = True
    return dict(_RECIPES)


def get(name: str) -> Recipe:
    recipes = discover()
    if name not in recipes:
        raise UnknownRecipe(f"no bot recipe named {name!r}; known: {', '.join(sorted(recipes))}")
    return recipes[name]


def resolve_target(snapshot: dict[str, Any]) -> tuple[Recipe, Task, dict[str, Any]] | None:
    """(recipe, task, target) for the snapshot's ``posting_target``, or None without one."""
    target = snapshot.get("posting_target") or None
    if not target or not target.get("portal"):
        return None
    recipe = get(str(target["portal"]))
    task = recipe.tasks.get(str(target.get("task") or "")) or recipe.task_for(snapshot.get("doc_type"))
    if task is None:
        raise PermanentError(f"portal {recipe.name} has no task {target.get('task')!r} for a "
                             f"{snapshot.get('doc_type')} document", kind="unknown_task")
    return recipe, task, dict(target)


# ---- configuration -------------------------------------------------------------------
@dataclass
class PortalConfig:
    name: str
    base_url: str
    user: str = ""
    password: str = field(default="", repr=False)
    max_concurrency: int = 2
    min_interval_s: float = 0.0
    retries: int = 3
    backoff_s: float = 0.5
    backoff_max_s: float = 8.0
    nav_timeout_s: float = 15.0
    element_timeout_s: float = 4.0
    trace: bool = True               # Playwright trace (actions, network, console) as proof
    trace_snapshots: bool = False    # DOM snapshots on every attempt (always on retries)
    trace_screenshots: bool = False  # also the screencast frames (slower, bigger)


def _flag(v: str) -> bool:
    return v.strip().lower() in ("1", "true", "yes", "on")


_ENV_FIELDS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "URL": ("base_url", str), "USER": ("user", str), "PASSWORD": ("password", str),
    "CONCURRENCY": ("max_concurrency", int), "MIN_INTERVAL_S": ("min_interval_s", float),
    "RETRIES": ("retries", int), "BACKOFF_S": ("backoff_s", float),
    "NAV_TIMEOUT_S": ("nav_timeout_s", float), "TRACE": ("trace", _flag),
    "TRACE_SNAPSHOTS": ("trace_snapshots", _flag),
}


def load_portal_config(name: str, home: Path, env: Mapping[str, str] | None = None) -> PortalConfig:
    """Configuration for portal `name`: secrets file first, environment variables win."""
    env = os.environ if env is None else env
    recipe = get(name)
    cfg = PortalConfig(name=name, base_url=recipe.default_url)
    secrets_path = Path(env.get("O2C_PORTAL_SECRETS") or home / "secrets" / "portals.json")
    if secrets_path.is_file():
        data = json.loads(secrets_path.read_text(encoding="utf-8")).get(name, {})
        for key, value in data.items():
            attr = {"url": "base_url"}.get(key, key)
            if hasattr(cfg, attr):
                setattr(cfg, attr, value)
    prefix = f"O2C_PORTAL_{name.upper()}_"
    for suffix, (attr, conv) in _ENV_FIELDS.items():
        if prefix + suffix in env:
            setattr(cfg, attr, conv(env[prefix + suffix]))
    return cfg


# ---- circuit breaker -----------------------------------------------------------------
class CircuitBreaker:
    """Disabled recipes, shared by all processes through a small locked JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _update(self, fn: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state: dict[str, Any] = {}
            if self.path.is_file():
                try:
                    state = json.loads(self.path.read_text(encoding="utf-8") or "{}")
                except json.JSONDecodeError:
                    state = {}
            if fn is not None:
                fn(state)
                tmp = self.path.with_suffix(".tmp")
                tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
                os.replace(tmp, self.path)
            return state

    def status(self) -> dict[str, Any]:
        return self._update()

    def is_open(self, recipe: str) -> dict[str, Any] | None:
        """The trip record when `recipe` is disabled, else None."""
        return self.status().get(recipe)

    def trip(self, recipe: str, reason: str) -> None:
        self._update(lambda s: s.__setitem__(recipe, {"reason": reason, "at": time.time()}))

    def reset(self, recipe: str | None = None) -> None:
        self._update(lambda s: s.clear() if recipe is None else s.pop(recipe, None))


# ---- per-portal concurrency and rate limit ----------------------------------------------
class PortalGate:
    """At most `max_concurrency` tasks per portal on this host (lock-file slots) and at
    least `min_interval_s` between task starts (a locked timestamp file)."""

    def __init__(self, lock_dir: Path) -> None:
        self.lock_dir = lock_dir

    @contextmanager
    def enter(self, cfg: PortalConfig, wait_s: float = 300.0) -> Iterator[None]:
        self.lock_dir.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait_s
        held = None
        while held is None:
            for i in range(max(1, cfg.max_concurrency)):
                fh = open(self.lock_dir / f"{cfg.name}.{i}.lock", "w")
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    held = fh
                    break
                except BlockingIOError:
                    fh.close()
            if held is None:
                if time.monotonic() > deadline:
                    raise PortalTransient(f"portal {cfg.name} busy: all {cfg.max_concurrency} "
                                          "bot slots taken")
                time.sleep(0.05)
        try:
            if cfg.min_interval_s > 0:
                self._pace(cfg)
            yield
        finally:
            held.close()

    def _pace(self, cfg: PortalConfig) -> None:
        with open(self.lock_dir / f"{cfg.name}.rate", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.seek(0)
            last = float(fh.read().strip() or 0)
            wait = last + cfg.min_interval_s - time.time()
            if wait > 0:
                time.sleep(wait)
            fh.seek(0)
            fh.truncate()
            fh.write(str(time.time()))
