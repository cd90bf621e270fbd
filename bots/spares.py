"""Spare browser contexts: the next task's fresh context, prepared while this task runs.

Every task gets a new browser context (its own cookies, cache and renderer), and a new
context is expensive: Chromium starts a renderer process, and the first page of a portal
in it loads cold.  Measured on the bundled portals, a bare script that opens a fresh
context per record took ~2x the time of the same clicks in a reused page.  The engine
therefore asks for a spare as soon as a task has settled its session: the spare (context
with the portal session's cookies, one page, the portal's landing page loaded) is built
on the Playwright event loop in the background and progresses whenever the running task
waits for the portal.  The next task for that portal takes it; no context ever serves
two tasks.

The sync Playwright API offers no way to start a call without waiting for it, so this
module schedules the async implementation behind the sync objects on their own loop
(``_impl_obj``/``_loop``).  Anything unexpected there (another Playwright version, a
failed spare) makes `take` return None and the engine creates the context the plain way.
"""
from __future__ import annotations

import asyncio
import inspect
import time
from typing import Any

from core.logs import get_logger

log = get_logger(__name__)


def _settle(task: asyncio.Task[Any]) -> None:
    """Done callback: consume the exception (no "never retrieved" warnings), close the
    context of a spare nobody took."""
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        log.info("spare_context_failed", error=str(exc).splitlines()[0] if str(exc) else
                 type(exc).__name__)


def _call(method: Any, **kw: Any) -> Any:
    """Call a Playwright implementation method the way its sync wrapper does: every
    parameter not given is passed as None (the implementation has no defaults)."""
    for name, p in inspect.signature(method).parameters.items():
        if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            kw.setdefault(name, None)
    return method(**kw)


_WARM_FORM = """() => { const f = document.createElement('form');
  f.id = 'o2c-warm';
  f.style.cssText = 'position:fixed;left:0;top:0;opacity:0;z-index:2147483647';
  f.innerHTML = '<input id=o2c-warm-i><select id=o2c-warm-s><option value=a>a</option></select>'
    + '<button type=button id=o2c-warm-b>b</button>';
  (document.body || document.documentElement).appendChild(f); }"""


async def _exercise(page: Any) -> None:
    """Run the kinds of actions a task runs (fill, select, click, read) on a hidden form
    added to the landing page: a new renderer compiles Playwright's injected script and
    the page's handlers on first use, which made every action of a task's first page
    2-3x slower.  Nothing is submitted; the form never reaches the portal."""
    try:
        await _call(page.evaluate, expression=_WARM_FORM, arg=None)
        await _call(page.fill, selector="#o2c-warm-i", value="warm", timeout=2000)
        await _call(page.select_option, selector="#o2c-warm-s", value="a", timeout=2000)
        await _call(page.click, selector="#o2c-warm-b", timeout=2000)
        await _call(page.input_value, selector="#o2c-warm-i", timeout=2000)
        await _call(page.evaluate, arg=None,
                    expression="() => document.getElementById('o2c-warm').remove()")
    except Exception as exc:  # noqa: BLE001 - warm-up is best effort; the context is fine
        log.info("spare_warmup_failed", error=str(exc).splitlines()[0] if str(exc) else
                 type(exc).__name__)


class SpareContexts:
    """At most one prepared context per portal, for one browser."""

    def __init__(self, max_age_s: float = 60.0) -> None:
        self.max_age_s = max_age_s
        self._pending: dict[str, tuple[Any, float, asyncio.Task[Any]]] = {}
        self._closing: set[asyncio.Task[Any]] = set()
        self.taken = self.made = 0

    @property
    def pending(self) -> int:
        return len(self._pending)

    def prepare(self, browser: Any, portal: str, options: dict[str, Any],
                storage_state: Any, warm_url: str | None) -> None:
        """Start building a spare for `portal` unless one is already there."""
        if portal in self._pending:
            return
        try:
            impl, loop = browser._impl_obj, browser._loop
        except AttributeError:
            return

        async def make() -> tuple[Any, Any]:
            ctx = await _call(impl.new_context, **options, storage_state=storage_state)
            try:
                page = await _call(ctx.new_page)
                if warm_url:
                    await _call(page.goto, url=warm_url, wait_until="domcontentloaded")
                    await _exercise(page)
            except BaseException:
                await _call(ctx.close)
                raise
            return ctx, page

        task = loop.create_task(make())
        task.add_done_callback(_settle)
        self._pending[portal] = (browser, time.monotonic(), task)
        self.made += 1

    def take(self, browser: Any, portal: str) -> tuple[Any, Any] | None:
        """The spare (sync context, sync page) for `portal`, or None (then make one)."""
        entry = self._pending.pop(portal, None)
        if entry is None:
            return None
        owner, born, task = entry
        if owner is not browser or not browser.is_connected():
            return None                       # that browser is gone, and its contexts
        try:
            ctx_impl, page_impl = browser._sync(task)
        except Exception as exc:  # noqa: BLE001 - a failed spare: make one the plain way
            log.info("spare_context_unusable", portal=portal, error=str(exc).splitlines()[0]
                     if str(exc) else type(exc).__name__)
            return None
        if time.monotonic() - born > self.max_age_s:
            self.close_later(ctx_impl)        # its session state may be stale
            return None
        from playwright.sync_api._generated import mapping

        self.taken += 1
        return mapping.from_impl(ctx_impl), mapping.from_impl(page_impl)

    def close_later(self, context: Any) -> None:
        """Close a context without waiting for it (sync wrapper or implementation)."""
        impl = getattr(context, "_impl_obj", context)
        try:
            task = impl._loop.create_task(_call(impl.close))
        except Exception:  # noqa: BLE001
            context.close()
            return
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
        task.add_done_callback(_settle)

    def drop(self, browser: Any) -> None:
        """Close every spare (engine shutdown); waits on `browser`'s loop."""
        pending, self._pending = self._pending, {}
        for owner, _born, task in pending.values():
            if owner is not browser or not browser.is_connected():
                continue
            try:
                ctx_impl, _page = browser._sync(task)
                browser._sync(_call(ctx_impl.close))
            except Exception:  # noqa: BLE001 - shutting down
                pass
