"""The document page and its JSON endpoints: page images and words, edits with live
re-validation, approve / reject (then straight on to the next document), lock renewal
and supervisor override, partner autocomplete."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from core import documents
from core.states import State
from review_ui import auth as A
from review_ui import docview, editing, locks, rendering
from review_ui.routes.queue import next_document
from review_ui.web import get_rt, json_body, render

router = APIRouter()
REVIEWER = A.require_role("reviewer")


@router.get("/documents/{doc_id}")
def document_page(request: Request, doc_id: int, auth: A.Auth = Depends(REVIEWER)) -> Response:
    from validation.routing import decide

    rt = get_rt(request)
    with rt.db.session() as s:
        doc = documents.get(s, doc_id)
        lock = (locks.acquire(s, doc_id, auth) if doc.state == State.NEEDS_REVIEW.value
                else locks.LockState(False))
        ex = doc.extraction or {}
        failing = decide(doc.validation or {}).reasons if doc.state == "needs_review" else []
        kind = rendering.kind_of(doc.mime_type)
        fields = docview.field_rows(ex, failing)
        cols, lines = docview.line_rows(ex)
        ctx: dict[str, Any] = {
            "doc": doc.summary(), "version": doc.version, "kind": kind, "fields": fields,
            "columns": cols, "lines": lines, "reasons": docview.reasons(failing),
            "original_reasons": doc.review_reasons or [],
            "checks": (doc.validation or {}).get("checks", []), "history": docview.history(doc),
            "lock": lock, "editable": lock.held and doc.state == "needs_review",
            "doc_types": editing.DOC_TYPES, "doc_type": ex.get("doc_type") or doc.doc_type,
        }
        try:
            pages = rendering.page_count(rt, doc.stored_path, doc.mime_type, doc.page_count)
        except Exception:
            pages = 0
        ctx["pages"] = pages
        ctx["text"] = rendering.text_view(rt, doc.stored_path, doc.mime_type) if kind == "text" else ""
    focus = next((f["name"] for f in fields if f["attention"]), None)
    ctx["data"] = {"id": doc_id, "version": ctx["version"], "pages": pages, "kind": kind,
                   "editable": ctx["editable"], "focus": focus, "csrf": auth.csrf,
                   "boxes": {f["name"]: {"page": f["page"], "bbox": f["bbox"]} for f in fields
                             if f["bbox"]},
                   "lineBoxes": [[{"page": c["page"], "bbox": c["bbox"]} for c in ln]
                                 for ln in lines],
                   "columns": cols, "lock": lock.as_dict(), "supervisor": auth.has("supervisor"),
                   "dpis": list(rendering.DPIS), "dpi": rendering.DEFAULT_DPI}
    return render(request, "document.html", ctx)


def _doc_file_info(request: Request, doc_id: int, page: int
                   ) -> tuple[str, str, str, rendering.Frame]:
    with get_rt(request).db.session() as s:
        doc = documents.get(s, doc_id)
        return (doc.sha256, doc.stored_path, doc.mime_type,
                rendering.page_frame(doc.extraction, page))


@router.get("/documents/{doc_id}/pages/{page}.png")
async def page_image(request: Request, doc_id: int, page: int, dpi: int = rendering.DEFAULT_DPI,
                     auth: A.Auth = Depends(REVIEWER)) -> Response:
    sha, path, mime, frame = await run_in_threadpool(_doc_file_info, request, doc_id, page)
    png = await run_in_threadpool(rendering.page_png, get_rt(request), sha, path, mime, page,
                                  dpi, frame)
    return FileResponse(png, media_type="image/png",
                        headers={"cache-control": "private, max-age=86400"})


@router.get("/documents/{doc_id}/pages/{page}/words")
async def page_words(request: Request, doc_id: int, page: int,
                     auth: A.Auth = Depends(REVIEWER)) -> Response:
    sha, path, mime, frame = await run_in_threadpool(_doc_file_info, request, doc_id, page)
    words = await run_in_threadpool(rendering.page_words, get_rt(request), sha, path, mime,
                                    page, frame)
    return JSONResponse({"page": page, "words": words},
                        headers={"cache-control": "private, max-age=3600"})


@router.post("/documents/{doc_id}/edit")
async def edit(request: Request, doc_id: int, auth: A.Auth = Depends(REVIEWER)) -> Response:
    body = await json_body(request)

    def work() -> dict[str, Any]:
        with get_rt(request).db.session() as s:
            return editing.apply_edits(s, doc_id, auth, body.get("version"), body.get("ops"))
    return JSONResponse(await run_in_threadpool(work))


async def _decide(request: Request, doc_id: int, auth: A.Auth, what: str) -> Response:
    body = await json_body(request)

    def work() -> dict[str, Any]:
        with get_rt(request).db.session() as s:
            if what == "approve":
                return editing.approve(s, doc_id, auth, body.get("version"),
                                       bool(body.get("confirm")))
            return editing.reject(s, doc_id, auth, body.get("version"), body.get("reason"))
    out = await run_in_threadpool(work)
    if out.get("ok"):
        if what == "approve":
            editing.enqueue_after("approved", doc_id)
        nxt = await run_in_threadpool(next_document, request, auth, doc_id)
        out["next"] = f"/documents/{nxt}" if nxt else "/queue?empty=1"
    return JSONResponse(out)


@router.post("/documents/{doc_id}/approve")
async def approve(request: Request, doc_id: int, auth: A.Auth = Depends(REVIEWER)) -> Response:
    return await _decide(request, doc_id, auth, "approve")


@router.post("/documents/{doc_id}/reject")
async def reject(request: Request, doc_id: int, auth: A.Auth = Depends(REVIEWER)) -> Response:
    return await _decide(request, doc_id, auth, "reject")


@router.post("/documents/{doc_id}/lock")
async def lock(request: Request, doc_id: int, auth: A.Auth = Depends(REVIEWER)) -> Response:
    body = await json_body(request)
    override = bool(body.get("override"))
    if override and not auth.has("supervisor"):
        raise A.Forbidden("only a supervisor can take over a locked document")

    def work() -> dict[str, Any]:
        with get_rt(request).db.session() as s:
            doc = documents.get(s, doc_id)
            if doc.state != State.NEEDS_REVIEW.value:
                return {"held": False, "by": None, "expires_at": None, "state": doc.state}
            st = locks.acquire(s, doc_id, auth, override=override)
            if override and st.held:
                documents.audit(s, doc, auth.actor, "lock_override",
                                detail="supervisor took over the document")
            return {**st.as_dict(), "state": doc.state}
    return JSONResponse(await run_in_threadpool(work))


@router.post("/documents/{doc_id}/unlock")
async def unlock(request: Request, doc_id: int, auth: A.Auth = Depends(REVIEWER)) -> Response:
    def work() -> None:
        with get_rt(request).db.session() as s:
            locks.release(s, doc_id, auth)
    await run_in_threadpool(work)
    return JSONResponse({"ok": True})


@router.get("/partners")
def partners(request: Request, q: str = "", field: str = "seller_name",
             auth: A.Auth = Depends(REVIEWER)) -> Response:
    with get_rt(request).db.session() as s:
        return JSONResponse({"suggestions": docview.suggest_partners(s, q[:100], field)})
