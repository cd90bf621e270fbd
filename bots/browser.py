"""One browser per worker process: `BrowserPool` is a thread that owns Playwright and one
Debian Chromium (relaunched if it dies); `run(fn)` executes ``fn(browser)`` on that thread,
since the sync Playwright API is bound to the thread that started it."""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]



class BrowserPool:
    """A thread owning Playwright and one browser; `run(fn)` executes ``fn(browser)`` on it
    (the sync Playwright API is bound to the thread that started it)."""

    def __init__(self, executable: str = CHROMIUM, args: list[str] | None = None) -> None:
        self.executable, self.args = executable, list(args or CHROMIUM_ARGS)
        self.launches = 0
        self._q: queue.Queue[tuple[Callable[[Any], Any], Future[Any]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _loop(self) -> None:
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        browser = None
        try:
            while (item := self._q.get()) is not None:
                fn, fut = item
                if not fut.set_running_or_notify_cancel():
                    continue
                try:
                    if browser is None or not browser.is_connected():
                        browser = pw.chromium.launch(executable_path=self.executable,
                                                     headless=True, args=self.args)
                        self.launches += 1
                    fut.set_result(fn(browser))
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    fut.set_exception(exc)
        finally:
            if browser is not None:
                browser.close()
            pw.stop()

    def run(self, fn: Callable[[Any], T]) -> T:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="o2c-browser", daemon=True)
                self._thread.start()
        fut: Future[T] = Future()
        self._q.put((fn, fut))
        return fut.result()

    def close(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._q.put(None)
                self._thread.join(timeout=30)
            self._thread = None
