"""Regenerate the README screenshots of the review UI, reproducibly.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--keep]

Builds a throw-away data folder (demo master data, two users, a dozen generated sample
documents plus three real invoices from /work/shared/corpora/invoice2data), runs every
document through the pipeline inline, serves the review UI on a free local port and
takes viewport screenshots with Playwright + the system Chromium:

    queue.png      the review queue
    document.png   a document: page image, fields with confidence colours, hovered box
    history.png    the same document's History tab
    dashboard.png  the supervisor dashboard
    search.png     a search result page

Needs the project venv (playwright without bundled browsers) and /usr/bin/chromium.
"""
from __future__ import annotations

import argparse
import glob
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REAL_PDF_DIR = Path("/work/shared/corpora/invoice2data")
REAL_PDFS = ("AmazonWebServices.pdf", "FlipkartInvoice.pdf", "QualityHosting.pdf")
SOURCES = ("mail", "folder", "upload")
SENDERS = {"mail": "ap-inbox@example.com", "folder": "scanner-2f", "upload": "reviewer"}
USERS = (("reviewer", "review-demo-1", "reviewer"), ("supervisor", "super-demo-1", "supervisor"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
VIEWPORT = {"width": 1440, "height": 900}


def log(msg: str) -> None:
    print(f"[screenshots] {msg}", flush=True)


# --------------------------------------------------------------------------- data

def build_runtime(home: Path) -> Any:
    from core import runtime
    from core.settings import Settings

    return runtime.configure(Settings(home=home, _env_file=None))


def seed(rt: Any, work: Path) -> list[int]:
    """Master data, users and documents; returns the document ids in ingest order."""
    from capture.ingest import ingest_bytes
    from generators.corpus import generate_set
    from queues.stages import run_to_rest
    from review_ui.auth import add_user
    from validation.masterdata import import_directory
    from validation.masterdata.demo_data import write_demo_files

    md = work / "masterdata"
    write_demo_files(md, seed=7)
    with rt.db.session() as s:
        import_directory(s, md)
        for name, password, role in USERS:
            add_user(s, name, password, role)

    files = [Path(p) for p in generate_set(work / "samples", 12, seed=5, scanned_fraction=0.25)]
    for name in REAL_PDFS:
        p = REAL_PDF_DIR / name
        if p.exists():
            files.append(p)
        else:
            log(f"skipping missing {p}")
    if len(files) < 13:   # fall back to any other real PDFs if the named ones moved
        extra = sorted(set(map(Path, glob.glob(str(REAL_PDF_DIR / "*.pdf")))) - set(files))
        files.extend(extra[:15 - len(files)])

    ids: list[int] = []
    for i, path in enumerate(files):
        source = SOURCES[i % len(SOURCES)]
        with rt.db.session() as s:
            res = ingest_bytes(s, rt.store, path.read_bytes(), path.name, source=source,
                               sender=SENDERS[source])
        if res.duplicate:
            continue
        state = run_to_rest(rt, res.document_id)
        log(f"#{res.document_id:<3} {path.name:<32} {source:<6} -> {state}")
        ids.append(res.document_id)
    return ids


def pick_featured(rt: Any, ids: list[int], exclude: set[int]) -> int:
    """The needs_review PDF/image document that shows the most: boxes and mixed confidence."""
    from core.models import Document
    from review_ui import rendering
    from review_ui.web import _conf_class

    best, best_score = None, -1.0
    with rt.db.session() as s:
        for doc_id in ids:
            if doc_id in exclude:
                continue
            doc = s.get(Document, doc_id)
            if doc is None or doc.state != "needs_review":
                continue
            if rendering.kind_of(doc.mime_type) != "pdf":
                continue
            fields = ((doc.extraction or {}).get("fields") or {}).values()
            boxed = sum(1 for f in fields if isinstance(f, dict) and f.get("bbox"))
            classes = {_conf_class(f.get("confidence")) for f in fields if isinstance(f, dict)}
            score = boxed + 3 * len(classes - {"conf-none"}) + (1 if doc.page_count == 1 else 0)
            if score > best_score:
                best, best_score = doc_id, score
    if best is None:   # no PDF in review: take any reviewable document
        with rt.db.session() as s:
            best = next(i for i in ids if (d := s.get(Document, i)) is not None
                        and d.state == "needs_review" and i not in exclude)
    return best


def review_ids(rt: Any, ids: list[int]) -> list[int]:
    from core.models import Document

    with rt.db.session() as s:
        return [i for i in ids if (d := s.get(Document, i)) is not None and d.state == "needs_review"]


# --------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(rt: Any) -> tuple[Any, threading.Thread, str]:
    import uvicorn

    from review_ui.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(rt, secure_cookies="0"), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server, thread, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the review UI did not start within 30 s")


# --------------------------------------------------------------------------- browser

def login(context: Any, base: str, username: str, password: str) -> Any:
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password)
    page.click('button[type="submit"]')
    page.wait_for_load_state("networkidle")
    if "/login" in page.url:
        raise RuntimeError(f"login as {username} failed: {page.url}")
    return page


def post_json(page: Any, url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST from inside the page, with the session's CSRF token, like review.js does."""
    return page.evaluate(
        """async ([url, body]) => {
             const D = JSON.parse(document.getElementById("doc-data").textContent);
             body.version = D.version;
             const r = await fetch(url, {method: "POST", credentials: "same-origin",
               headers: {"Content-Type": "application/json", "Accept": "application/json",
                         "X-CSRF-Token": D.csrf}, body: JSON.stringify(body)});
             return {status: r.status, body: await r.json()};
           }""", [url, body])


def reviewer_activity(context: Any, base: str, approve: list[int], reject: list[int],
                      featured: int) -> None:
    """Give the dashboard and the featured document's history something to show."""
    page = login(context, base, "reviewer", "review-demo-1")
    for doc_id in approve:
        page.goto(f"{base}/documents/{doc_id}")
        out = post_json(page, f"/documents/{doc_id}/approve", {"confirm": True})
        log(f"reviewer approves #{doc_id}: {out['status']}")
    for doc_id in reject:
        page.goto(f"{base}/documents/{doc_id}")
        out = post_json(page, f"/documents/{doc_id}/reject", {"reason": "duplicate"})
        log(f"reviewer rejects #{doc_id}: {out['status']}")
    # Accept one field on the featured document, then hand it back (unlock).
    page.goto(f"{base}/documents/{featured}")
    names = page.eval_on_selector_all("input.field.conf-hi", "els => els.map(e => e.dataset.field)")
    if names:
        out = post_json(page, f"/documents/{featured}/edit",
                        {"ops": [{"op": "accept", "field": names[0]}]})
        log(f"reviewer accepts {names[0]} on #{featured}: {out['status']}")
    post_json(page, f"/documents/{featured}/unlock", {})
    page.goto("about:blank")
    page.close()


def settle(page: Any) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("""() => Promise.all(Array.from(document.images)
        .filter(img => !img.complete)
        .map(img => new Promise(r => { img.onload = img.onerror = r; })))""")
    page.wait_for_timeout(300)


def shoot(page: Any, out: Path, name: str) -> Path:
    path = out / name
    page.screenshot(path=str(path), full_page=False)
    log(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
    return path


def take_screenshots(base: str, out: Path, featured: int, search_q: str,
                     activity: dict[str, list[int]]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    shots: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
            rev_ctx = browser.new_context(viewport=VIEWPORT)
            reviewer_activity(rev_ctx, base, activity["approve"], activity["reject"], featured)
            rev_ctx.close()

            page = login(ctx, base, "supervisor", "super-demo-1")

            page.goto(f"{base}/queue")
            settle(page)
            shots.append(shoot(page, out, "queue.png"))

            page.goto(f"{base}/documents/{featured}")
            settle(page)
            page.wait_for_selector("#overlay .fbox", state="attached", timeout=10_000)
            # Hover a boxed field other than the focused one, so its box lights up.
            target = page.evaluate("""() => {
                const D = JSON.parse(document.getElementById("doc-data").textContent);
                const pref = ["seller_name", "invoice_number", "total_gross", "number"];
                const boxed = Object.keys(D.boxes).filter(n => (D.boxes[n].page || 1) === 1);
                const pick = pref.find(n => boxed.includes(n)) || boxed[0];
                return pick ? "f-" + pick : null; }""")
            if target:
                page.hover(f"#{target}")
            page.wait_for_timeout(400)
            shots.append(shoot(page, out, "document.png"))

            page.mouse.move(5, 5)
            page.click('.tab[data-tab="tab-history"]')
            page.wait_for_selector("#tab-history:not([hidden])")
            page.wait_for_timeout(300)
            shots.append(shoot(page, out, "history.png"))
            # leave the document without keeping the lock around
            page.goto(f"{base}/supervisor")
            settle(page)
            shots.append(shoot(page, out, "dashboard.png"))

            page.goto(f"{base}/search?q={search_q}")
            settle(page)
            shots.append(shoot(page, out, "search.png"))
        finally:
            browser.close()
    return shots


def search_term(rt: Any) -> str:
    """The candidate word that matches the most documents (a list, not a single hit)."""
    from review_ui import index

    best, best_total = "invoice", -1
    with rt.db.session() as s:
        index.sync(s)
        for q in ("GmbH", "invoice", "order"):
            _rows, total = index.search(s, q, "", "", 1)
            if total > best_total:
                best, best_total = q, total
    return best


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots",
                    help="where to write the PNGs (default docs/screenshots)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    args = ap.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    tmp = Path(tempfile.mkdtemp(prefix="o2c-screenshots-"))
    server = thread = None
    shots: list[Path] = []
    try:
        rt = build_runtime(tmp / "home")
        ids = seed(rt, tmp / "work")
        reviewable = review_ids(rt, ids)
        log(f"{len(reviewable)} of {len(ids)} documents need review")
        # a few decisions for the dashboard, keeping most of the queue full
        many = len(reviewable) > 6
        activity = {"approve": reviewable[1:4] if many else [],
                    "reject": reviewable[4:5] if many else []}
        featured = pick_featured(rt, ids, set(activity["approve"]) | set(activity["reject"]))
        log(f"featured document: #{featured}")
        q = search_term(rt)
        server, thread, base = serve(rt)
        log(f"serving on {base}")
        shots = take_screenshots(base, out, featured, q, activity)
    finally:
        if server is not None:
            server.should_exit = True
            thread.join(timeout=10)
        from core import runtime
        runtime.reset()
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for s in shots:
        print(s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
