"""Search-before-submit over HTTP (`bots.recipes.listing`) with a hand-written fake of the
browser context's request client: exact key match across result pages, and what the
portal shows (login redirect, maintenance page, 5xx, business error, missing table)
turned into the bot error classes."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from bots.errors import (PortalBusinessError, PortalMaintenance, PortalServerError,
                         RecipeBroken, SessionExpired)
from bots.recipes.listing import search_rows

BASE = "http://portal.test/globex"
CELLS = {"key": "td.key", "ref": "td.ref"}


@dataclass
class FakeResponse:
    url: str
    status: int
    body: str

    def text(self) -> str:
        return self.body


class FakeRequest:
    """Serves canned pages by URL and records what was fetched."""

    def __init__(self, pages: dict[str, tuple[int, str] | tuple[int, str, str]]) -> None:
        self.pages, self.fetched = pages, []

    def get(self, url: str, timeout: float | None = None) -> FakeResponse:
        self.fetched.append(url)
        status, body, *final = self.pages[url]
        return FakeResponse(final[0] if final else url, status, body)


def table(rows: list[tuple[str, str]], next_href: str | None = None) -> str:
    trs = "".join(f"<tr><td class='key'> {k} </td><td class='ref'>{r}</td></tr>" for k, r in rows)
    nxt = f"<a rel='next' href='{next_href}'>next</a>" if next_href else ""
    return (f"<html><body><table id='records'><thead><tr><th>Key</th></tr></thead>"
            f"<tbody>{trs}</tbody></table>{nxt}</body></html>")


def search(req: FakeRequest, key: str):  # noqa: ANN201
    return search_rows(req, f"{BASE}/invoices?q={key}", "table#records", CELLS, key,
                       where="InvoicesPage", timeout_ms=1000)


def test_exact_key_on_a_later_page() -> None:
    req = FakeRequest({
        f"{BASE}/invoices?q=INV-1": (200, table([("INV-10", "R-10"), ("INV-11", "R-11")],
                                                "/globex/invoices?q=INV-1&page=2")),
        f"{BASE}/invoices?q=INV-1&page=2": (200, table([("INV-1", "R-1")])),
    })
    assert search(req, "INV-1") == {"key": "INV-1", "ref": "R-1"}
    assert len(req.fetched) == 2


def test_substring_matches_are_not_the_record() -> None:
    req = FakeRequest({f"{BASE}/invoices?q=INV-1": (200, table([("INV-10", "R-10")]))})
    assert search(req, "INV-1") is None


def test_a_next_link_pointing_back_ends_the_walk() -> None:
    url = f"{BASE}/invoices?q=X"
    req = FakeRequest({url: (200, table([("Y", "R")], "/globex/invoices?q=X"))})
    assert search(req, "X") is None
    assert len(req.fetched) == 2


@pytest.mark.parametrize("status,body,final,error", [
    (200, "<form id='login'></form>", f"{BASE}/login", SessionExpired),
    (200, "<div id='maintenance'>Back soon</div>", None, PortalMaintenance),
    (503, "<p>Service unavailable</p>", None, PortalServerError),
    (200, "<div id='error'>Search is not allowed for your role.</div>", None, PortalBusinessError),
    (200, "<html><body><p>No table here</p></body></html>", None, RecipeBroken),
])
def test_portal_states_become_bot_errors(status: int, body: str, final: str | None,
                                         error: type[Exception]) -> None:
    url = f"{BASE}/invoices?q=K"
    req = FakeRequest({url: (status, body, final or url)})
    with pytest.raises(error) as info:
        search(req, "K")
    if error is PortalBusinessError:
        assert "not allowed" in str(info.value)
