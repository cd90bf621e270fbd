"""The review UI in real Chromium (Playwright, sync API): sign in, open the queue, correct
a field by clicking a word on the page, edit a line, approve with the keyboard (the
document moves on; the next one opens), see the audit entry; locks between two
reviewers and supervisor take-over; stored XSS renders as text; CSRF attempts fail."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.e2e.review_fixtures import CHROMIUM, CHROMIUM_ARGS, login, require_chromium, start_server

pytestmark = pytest.mark.slow
DOCS = ["oyo.pdf", "AmazonWebServices.pdf", "QualityHosting.pdf", "coolblue1.pdf"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    yield from start_server(tmp_path_factory.mktemp("review_e2e"), DOCS)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page_for(browser, server):
    contexts = []

    def make(user: str):
        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(10_000)
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text)
              if "Content Security Policy" in m.text else None)
        pg.errors = errors  # type: ignore[attr-defined]
        login(pg, server.url, user)
        return pg

    yield make
    for ctx in contexts:
        ctx.close()


def _doc(server, doc_id):
    from core import documents
    with server.rt.db.session() as s:
        d = documents.get(s, doc_id)
        return d.state, d.extraction, [e.as_dict() for e in d.events]


def test_correct_by_click_edit_line_and_approve_with_keyboard(server, page_for):
    from review_ui.models import Correction

    pg = page_for("alice")
    base, doc_id = server.url, server.docs["oyo.pdf"]
    assert pg.locator("#queue tbody tr").count() == len(DOCS)
    pg.click(f"#queue a[href='/documents/{doc_id}']")
    pg.wait_for_url(f"{base}/documents/{doc_id}")
    # focus lands on the first flagged field; the reasons are listed at the top
    fid = pg.evaluate("document.activeElement.id")
    assert fid.startswith("f-"), fid
    name = fid[2:]
    with server.rt.db.session() as s:
        from core import documents
        flagged = {f for r in documents.get(s, doc_id).review_reasons or [] for f in r["fields"]}
    assert name in flagged, (name, flagged)
    assert pg.locator("#reason-list li").count() >= 1
    pg.wait_for_selector("#overlay .word")
    target = pg.evaluate("""() => Array.from(document.querySelectorAll('#overlay .word'))
        .map(w => w.dataset.text).find(t => /\\d{4,}/.test(t))""")
    assert target, "no numeric word on the page"
    pg.locator(f"#overlay .word[data-text='{target}']").first.click()
    assert pg.input_value(f"#{fid}") == target
    # key 1: Enter saves the field and moves to the next field needing attention
    pg.keyboard.press("Enter")
    pg.wait_for_function(f"() => document.activeElement && document.activeElement.id !== '{fid}'")
    pg.wait_for_function(f"() => document.getElementById('c-{name}').textContent === '✓'")
    # edit a line cell (typing) and save it
    pg.fill("#l-0-description", "Room charges, 2 nights")
    pg.press("#l-0-description", "Enter")
    pg.wait_for_function("() => document.getElementById('status').textContent.includes('check')")
    state, ex, _ = _doc(server, doc_id)
    assert ex["fields"][name]["value"] == target
    assert ex["fields"][name]["bbox"] and ex["lines"][0]["description"]["value"] == "Room charges, 2 nights"
    # key 2: Ctrl+Enter approves; checks still fail -> key 3: Enter confirms
    pg.keyboard.press("Control+Enter")
    pg.wait_for_selector("#confirm-dialog[open]")
    pg.keyboard.press("Enter")
    pg.wait_for_url(lambda url: "/documents/" in url and not url.endswith(f"/documents/{doc_id}"))
    assert _doc(server, doc_id)[0] == "approved"
    with server.rt.db.session() as s:
        corr = s.scalars(select(Correction).where(Correction.document_id == doc_id)).all()
    assert {c.field for c in corr} >= {name, "lines[1].description"}
    assert all(c.reviewer == "alice" for c in corr)
    # the history tab shows the edit and the decision
    pg.goto(f"{base}/documents/{doc_id}")
    pg.keyboard.press("h")
    hist = pg.locator("#history").inner_text()
    assert name in hist and target in hist and "user:alice" in hist and "approved" in hist
    assert not pg.errors  # type: ignore[attr-defined]


def test_second_reviewer_sees_the_lock_and_a_supervisor_can_take_over(server, page_for):
    doc_id = server.docs["QualityHosting.pdf"]
    a, b = page_for("alice"), page_for("bob")
    a.goto(f"{server.url}/documents/{doc_id}")
    assert a.locator("#approve").count() == 1
    b.goto(f"{server.url}/documents/{doc_id}")
    assert "alice is reviewing" in b.locator("#banner").inner_text()
    assert b.locator("#approve").count() == 0
    assert b.get_attribute("#f-invoice_number", "readonly") is not None
    sup = page_for("sam")
    sup.goto(f"{server.url}/documents/{doc_id}")
    sup.click("#take-over")
    sup.wait_for_selector("#approve")
    # alice's save now fails clearly instead of silently overwriting
    a.fill("#f-invoice_number", "30064443-A")
    a.keyboard.press("Enter")
    a.wait_for_function("() => document.getElementById('status').classList.contains('bad')")
    assert "sam is working on this document" in a.locator("#status").inner_text()


def test_markup_in_extracted_text_renders_as_text(server, page_for):
    from core import documents
    from core.models import utcnow

    doc_id = server.docs["coolblue1.pdf"]
    evil = "<script>window.__xss=1</script>"
    img = '<img src=x onerror="window.__xss=2">'
    with server.rt.db.session() as s:
        d = documents.get(s, doc_id)
        ex = dict(d.extraction)
        ex["fields"] = dict(ex["fields"])
        ex["fields"]["seller_name"] = dict(ex["fields"]["seller_name"], value=evil)
        ex["fields"]["buyer_name"] = dict(ex["fields"]["buyer_name"], value=img)
        ex["lines"] = [{"description": {"value": img, "confidence": 0.5, "page": 1,
                                        "bbox": [0.1, 0.1, 0.2, 0.2], "source": "text"}}]
        d.extraction = ex
        d.review_reasons = [{"code": "x.<b>", "reason": img, "fields": ["seller_name"]}]
        d.validation = {"checks": [{"code": "x.<b>", "ok": False, "reason": evil,
                                    "fields": ["seller_name"], "blocking": True}]}
        d.version += 1
        d.updated_at = utcnow()
    pg = page_for("bob")
    pg.goto(f"{server.url}/queue")
    assert evil in pg.locator("#queue").inner_text()
    pg.goto(f"{server.url}/documents/{doc_id}")
    assert pg.input_value("#f-seller_name") == evil
    assert pg.input_value("#f-buyer_name") == img
    assert pg.input_value("#l-0-description") == img
    assert evil in pg.locator("#reason-list").inner_text()
    pg.goto(f"{server.url}/search?q=window.__xss")
    assert pg.locator("#queue tbody tr").count() == 1
    assert pg.evaluate("typeof window.__xss") == "undefined"
    assert pg.locator("img[src=x]").count() == 0 and pg.locator("script:not([src]):not([type])").count() == 0


def test_csrf_attempts_fail(server, page_for):
    doc_id = server.docs["AmazonWebServices.pdf"]
    pg = page_for("bob")
    pg.goto(f"{server.url}/documents/{doc_id}")
    version = pg.evaluate("JSON.parse(document.getElementById('doc-data').textContent).version")
    for headers in ({"Content-Type": "application/json"},
                    {"Content-Type": "application/json", "X-CSRF-Token": "forged"}):
        status = pg.evaluate("""async ([url, headers, body]) => (await fetch(url, {method: 'POST',
            headers: headers, body: JSON.stringify(body)})).status""",
                             [f"/documents/{doc_id}/approve", headers, {"version": version, "confirm": True}])
        assert status == 403
    r = pg.request.post(f"{server.url}/logout", form={"csrf_token": "nope"})
    assert r.status == 403
    assert _doc(server, doc_id)[0] == "needs_review"
    # a form post from another origin is refused too (no token; SameSite=Strict drops the cookie)
    pg.set_content(f"""<form id=f method=post action="{server.url}/documents/{doc_id}/reject">
        <input name=reason value=x></form>""")
    with pg.expect_navigation():
        pg.evaluate("document.getElementById('f').submit()")
    assert pg.locator("body").inner_text().count("csrf") or "unauthenticated" in pg.content()
    assert _doc(server, doc_id)[0] == "needs_review"
