"""Search-before-submit over HTTP: read a portal's server-rendered result list with the
task's logged-in session, without rendering it in the page.

A legacy portal's search is usually a GET form answering with an HTML table.  Fetching it
through the browser context's request client (same cookies, same session) and reading the
rows with lxml costs a few milliseconds; loading it into the page costs a navigation and a
render.  The page's state is judged by the same functions as a rendered page's
(`bots.errors.raise_for_login` / `raise_for_page`): a redirect to the login page is
`SessionExpired`, the maintenance page `PortalMaintenance`, HTTP 5xx `PortalServerError`,
an ``#error`` element the portal's business message.  Portals whose lists are built by JavaScript set
``BasePage.search_mode = "page"`` and keep the rendered search."""
from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml.cssselect import CSSSelector

from bots.errors import RecipeBroken, raise_for_login, raise_for_page

MAX_PAGES = 200   # a search that pages on forever is a broken recipe, not a long list


def _text(el: Any) -> str:
    return " ".join(el.text_content().split())


def _judge(status: int, final_url: str, tree: Any, where: str) -> None:
    raise_for_login(final_url, where)
    err = tree.cssselect("#error") if tree is not None else []
    shown = tree is not None
    raise_for_page(where, status, maintenance=shown and bool(tree.cssselect("#maintenance")),
                   error=_text(err[0]) if err else None, body=_text(tree)[:200] if shown else "")


def search_rows(request: Any, url: str, table: str, cells: dict[str, str], key: str, *,
                where: str, timeout_ms: float) -> dict[str, Any] | None:
    """Walk the result pages from `url` until a row's ``key`` cell equals `key` exactly;
    that row's cells as a dict, or None.  `request` is a Playwright APIRequestContext
    sharing the task's cookies (``page.request``)."""
    sels = {name: CSSSelector(css) for name, css in cells.items()}
    rows_sel, next_sel = CSSSelector(f"{table} tbody tr"), CSSSelector("a[rel=next]")
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        resp = request.get(url, timeout=timeout_ms)
        body = resp.text()
        tree = lxml.html.fromstring(body) if body.strip() else None
        _judge(resp.status, resp.url, tree, where)
        if tree is None or not tree.cssselect(table):
            raise RecipeBroken(f"{where}: result table {table!r} not found on "
                               f"{resp.url.split('?', 1)[0]}")
        for tr in rows_sel(tree):
            row = {}
            for name, sel in sels.items():
                found = sel(tr)
                row[name] = _text(found[0]) if found else None
            if row.get("key") == key:
                return row
        nxt = next_sel(tree)
        href = nxt[0].get("href") if nxt else None
        if not href:
            return None
        url = urljoin(resp.url, href)
        if url in seen:
            return None
        seen.add(url)
    raise RecipeBroken(f"{where}: search for {key!r} pages on past {MAX_PAGES} pages")
