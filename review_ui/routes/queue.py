"""The review queue (filters, sort, counts per reason, pagination), "next document",
and document search for every signed-in user."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from core.states import State
from review_ui import auth as A
from review_ui import index, locks
from review_ui.models import UserSession
from review_ui.web import get_rt, render

router = APIRouter()
REVIEWER = A.require_role("reviewer")


@router.get("/")
def home(auth: A.Auth = Depends(REVIEWER)) -> Response:
    return RedirectResponse("/queue", status_code=303)


@router.get("/queue")
def queue_page(request: Request, auth: A.Auth = Depends(REVIEWER)) -> Response:
    f = index.QueueFilter.from_params(dict(request.query_params))
    with get_rt(request).db.session() as s:
        index.sync(s)
        page = index.queue_page(s, f)
        row = s.get(UserSession, auth.session_id)
        wanted = f.params(page=1)
        if row is not None and row.queue_filters != wanted:
            row.queue_filters = wanted
    return render(request, "queue.html", {
        "f": f, "page": page, "qs": lambda **kw: urlencode(f.params(**kw)),
        "sorts": index.SORTS, "empty": request.query_params.get("empty")})


def next_document(request: Request, auth: A.Auth, after: int | None) -> int | None:
    with get_rt(request).db.session() as s:
        row = s.get(UserSession, auth.session_id)
        f = index.QueueFilter.from_params((row.queue_filters if row else None) or {})
        index.sync(s)
        ids = index.ordered_ids(s, f)
        busy = locks.locked_by_others(s, auth)
    start = ids.index(after) + 1 if after in ids else 0
    for doc_id in ids[start:] + ids[:start]:
        if doc_id != after and doc_id not in busy:
            return doc_id
    return None


@router.get("/queue/next")
def queue_next(request: Request, after: int | None = None,
               auth: A.Auth = Depends(REVIEWER)) -> Response:
    doc_id = next_document(request, auth, after)
    return RedirectResponse(f"/documents/{doc_id}" if doc_id else "/queue?empty=1",
                            status_code=303)


@router.get("/search")
def search_page(request: Request, q: str = "", partner: str = "", state: str = "",
                page: int = 1, auth: A.Auth = Depends(REVIEWER)) -> Response:
    state = state if state in {s.value for s in State} else ""
    with get_rt(request).db.session() as s:
        index.sync(s)
        rows, total = index.search(s, q[:200], partner[:200], state, page)
    return render(request, "search.html", {
        "q": q, "partner": partner, "state": state, "rows": rows, "total": total,
        "page": max(page, 1), "states": [s.value for s in State],
        "more": total > max(page, 1) * index.PAGE_SIZE,
        "qs": lambda **kw: urlencode({"q": q, "partner": partner, "state": state, **kw})})
