"""Recipe toolkit: the base page object every portal page derives from, and the context
a task function receives.

`BasePage` turns what a legacy portal shows into the bot error classes: a redirect to the
login page is `SessionExpired`, the maintenance page `PortalMaintenance`, HTTP 5xx
`PortalServerError`, a visible ``#error`` message `PortalBusinessError` (with the portal's
text), and an expected element that is not there `RecipeBroken`.  Each recipe is one
sub-package (``pages.py`` + ``tasks.py``) registered in `bots.registry`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

from playwright.sync_api import FrameLocator, Locator, Page, Response
from playwright.sync_api import TimeoutError as PWTimeout

from bots.errors import (PortalBusinessError, PortalLoginFailed, PortalTimeout,
                         PortalTransient, RecipeBroken, raise_for_login, raise_for_page)


_ROWS_JS = """(rows, cells) => rows.map(r => { const o = {};
  for (const [k, s] of Object.entries(cells)) { const c = r.querySelector(s);
    o[k] = c ? c.textContent.trim() : null; } return o; })"""


_STATE_JS = """() => { const e = document.querySelector('#error');
  return {maintenance: !!document.querySelector('#maintenance'),
          error: e ? e.innerText.trim() : null,
          body: (document.body ? document.body.innerText : '').slice(0, 200)}; }"""


def value(snapshot: dict[str, Any], name: str, default: Any = None) -> Any:
    """A canonical header field's value from a document snapshot."""
    f = ((snapshot.get("extraction") or {}).get("fields") or {}).get(name)
    if isinstance(f, dict):
        return f.get("value", default) if f.get("value") is not None else default
    return default if f is None else f


def lines(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's lines as plain {name: value} dicts."""
    out = []
    for ln in (snapshot.get("extraction") or {}).get("lines") or []:
        out.append({k: (v.get("value") if isinstance(v, dict) else v) for k, v in ln.items()})
    return out


def key_field(name: str) -> Callable[[dict[str, Any]], str]:
    """A `Task.business_key` reading header field `name` (a business error when empty)."""
    def key(snapshot: dict[str, Any]) -> str:
        v = value(snapshot, name)
        if v is None or not str(v).strip():
            raise PortalBusinessError(f"the document has no {name}; it cannot be posted")
        return str(v).strip()
    return key


def fmt_num(v: Any) -> str:
    if v is None or v == "":
        return ""
    f = float(v)
    return f"{f:.2f}" if f != int(f) else str(int(f))


@dataclass
class TaskContext:
    """What a task function gets: the logged-in page, the portal's base URL, the document
    snapshot, its business key, and the hooks around the one irreversible click."""

    page: Page
    base_url: str
    snapshot: dict[str, Any]
    key: str
    element_timeout_ms: float = 4000
    before_submit: Callable[[], None] = lambda: None
    after_submit: Callable[[], None] = lambda: None
    notes: dict[str, Any] = field(default_factory=dict)
    nav_timeout_ms: float = 15000

    def value(self, name: str, default: Any = None) -> Any:
        return value(self.snapshot, name, default)

    def lines(self) -> list[dict[str, Any]]:
        return lines(self.snapshot)

    def final_submit(self, page_obj: BasePage, button: Locator) -> Response | None:
        """The irreversible click: mark the posting submitted first, run the after-submit
        hook (fault injection: kill the worker) once the portal has answered."""
        self.before_submit()
        resp = page_obj.click_and_wait(button, check=False)
        self.after_submit()
        page_obj.check(resp)
        return resp


class BasePage:
    """One page of a portal: owns its locators and small actions."""

    path = "/"
    search_mode = "http"    # "page" for result lists built by JavaScript

    def __init__(self, ctx: TaskContext) -> None:
        self.ctx = ctx
        self.page = ctx.page

    # ---- navigation and page state -------------------------------------------------
    def open(self, path: str | None = None) -> BasePage:
        try:
            resp = self.page.goto(self.ctx.base_url + (path or self.path),
                                  wait_until="domcontentloaded")
        except PWTimeout as exc:
            raise PortalTimeout(f"{type(self).__name__}: page load timed out") from exc
        self.check(resp)
        return self

    def click_and_wait(self, button: Locator | str, *, check: bool = True) -> Response | None:
        """Click something that navigates the top page; check where we landed."""
        loc = self.page.locator(button).first if isinstance(button, str) else button
        try:
            with self.page.expect_navigation(wait_until="domcontentloaded") as nav:
                loc.click(timeout=self.ctx.element_timeout_ms)
            resp = nav.value
        except PWTimeout as exc:
            if not loc.count():
                raise self.broken(str(button), exc) from exc
            self.check()
            raise PortalTimeout(f"{type(self).__name__}: no answer after click") from exc
        if check:
            self.check(resp)
        return resp

    def check(self, resp: Response | None = None) -> None:
        """Raise the bot error class for what the portal is showing now (one round trip)."""
        where = type(self).__name__
        raise_for_login(self.page.url, where)
        state = self.page.evaluate(_STATE_JS)
        raise_for_page(where, resp.status if resp is not None else 200,
                       maintenance=state["maintenance"], error=state["error"],
                       body=state["body"])

    # ---- elements ------------------------------------------------------------------
    def broken(self, selector: str, exc: Exception) -> RecipeBroken:
        """The error for a missing element - unless the page shows why (expired session,
        maintenance, 5xx, business error), in which case that is raised instead."""
        self.check()
        return RecipeBroken(f"{type(self).__name__}: element {selector!r} not found on "
                            f"{self.page.url.split('?', 1)[0]}: {str(exc).splitlines()[0]}")

    def need(self, selector: str, root: Page | FrameLocator | None = None) -> Locator:
        """The element, or RecipeBroken when the (loaded, healthy) page does not have it."""
        loc = (root or self.page).locator(selector).first
        try:
            loc.wait_for(state="attached", timeout=self.ctx.element_timeout_ms)
        except PWTimeout as exc:
            raise self.broken(selector, exc) from exc
        return loc

    def fill(self, selector: str, text: Any, root: Page | FrameLocator | None = None) -> None:
        try:
            (root or self.page).locator(selector).first.fill(
                "" if text is None else str(text), timeout=self.ctx.element_timeout_ms)
        except PWTimeout as exc:
            raise self.broken(selector, exc) from exc

    def click(self, selector: str, root: Page | FrameLocator | None = None) -> None:
        try:
            (root or self.page).locator(selector).first.click(timeout=self.ctx.element_timeout_ms)
        except PWTimeout as exc:
            raise self.broken(selector, exc) from exc

    def frame(self, selector: str) -> FrameLocator:
        """An iframe's content (its elements are waited for when used)."""
        return self.page.frame_locator(selector)

    def select_xhr(self, selector: str, option: str) -> None:
        """Choose `option` in a dropdown whose options arrive by XHR after page load."""
        sel = self.page.locator(selector).first
        try:
            sel.locator(f"option[value='{option}']").wait_for(
                state="attached", timeout=self.ctx.element_timeout_ms)
        except PWTimeout as exc:
            if not sel.count():
                raise self.broken(selector, exc) from exc
            self.check()
            if sel.get_attribute("data-loaded"):
                raise PortalBusinessError(f"the portal does not offer {option!r} in "
                                          f"{selector}") from exc
            raise PortalTransient(f"{selector}: options did not load in time") from exc
        sel.select_option(option)

    def pick_calendar_date(self, name: str, iso: str) -> None:
        """Set a calendar widget (readonly display input + hidden real input) by clicking:
        open it, choose month and year, click the day."""
        d = date.fromisoformat(str(iso)[:10])
        self.click(f"#{name}_display")
        cal = self.need(f"#{name}_display ~ .dp-calendar")
        cal.locator(".dp-year").select_option(str(d.year))
        cal.locator(".dp-month").select_option(str(d.month))
        self.click(f"#{name}_display ~ .dp-calendar .dp-day[data-day='{d.day}']")
        got = self.page.locator(f"#{name}").input_value()
        if got != d.isoformat():
            raise RecipeBroken(f"date picker {name}: expected {d.isoformat()}, widget set {got!r}")

    def search(self, query: str, table: str, cells: dict[str, str]) -> dict[str, Any] | None:
        """Run the page's search (a GET form) for `query` and walk the result pages until
        a row's ``key`` cell equals `query` exactly (searches match substrings).  With
        ``search_mode = "http"`` (default) the lists are fetched with the session's cookies
        and read without rendering (`bots.recipes.listing`); ``"page"`` renders them."""
        results = f"{self.path}?q={quote(query)}"
        if self.search_mode == "http":
            from bots.recipes.listing import search_rows

            row = search_rows(self.page.request, self.ctx.base_url + results, table, cells,
                              query, where=type(self).__name__,
                              timeout_ms=self.ctx.nav_timeout_ms)
            if row is not None:   # rare: show the record on the page for the proof screenshot
                self.open(results)
            return row
        self.open(results)
        while True:
            self.need(table)
            rows = self.page.locator(f"{table} tbody tr").evaluate_all(_ROWS_JS, cells)
            for row in rows:
                if row.get("key") == query:
                    return dict(row)
            nxt = self.page.locator("a[rel=next]")
            if not nxt.count():
                return None
            self.click_and_wait(nxt.first)

    def screenshot_masks(self) -> list[Locator]:
        return [self.page.locator("input[type=password]")]


class FormLoginPage(BasePage):
    """A login form (user, password, button) that stays on the login URL when the
    credentials are refused.  Recipes subclass it and set their own locators."""

    path = "/login"
    portal_name = "portal"
    user_field, password_field, submit_button = "#username", "#password", "#login-btn"

    def login(self, user: str, password: str) -> None:
        self.page.goto(self.ctx.base_url + self.path, wait_until="domcontentloaded")
        self.fill(self.user_field, user)
        self.fill(self.password_field, password)
        self.click_and_wait(self.submit_button, check=False)
        if self.path in self.page.url.split("?", 1)[0]:
            raise PortalLoginFailed(f"{self.portal_name} rejected the configured credentials")
        self.check()
