"""Supervisor and admin pages: the dashboard, failed documents and bot (posting)
failures with one-click retry, and user management (admins)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete, select

from core.errors import InputError
from core.models import Document
from review_ui import auth as A
from review_ui import dashboard, editing
from review_ui.models import ROLES, User, UserSession
from review_ui.web import get_rt, render

router = APIRouter()
SUPERVISOR = A.require_role("supervisor")
ADMIN = A.require_role("admin")


@router.get("/supervisor")
def dashboard_page(request: Request, days: int = 30, auth: A.Auth = Depends(SUPERVISOR)) -> Response:
    from review_ui import index

    days = min(max(days, 1), 365)
    with get_rt(request).db.session() as s:
        index.sync(s)
        d = dashboard.compute(s, days)
    return render(request, "dashboard.html", {"d": d})


@router.get("/supervisor/failed")
def failed_page(request: Request, auth: A.Auth = Depends(SUPERVISOR)) -> Response:
    with get_rt(request).db.session() as s:
        q = (select(Document.id, Document.state, Document.original_name, Document.source,
                    Document.error_kind, Document.error_message, Document.updated_at,
                    Document.posting)
             .where(Document.state.in_(["failed", "post_failed"]))
             .order_by(Document.updated_at.desc()).limit(500))
        rows = [dict(r._mapping) for r in s.execute(q)]
    for r in rows:
        if r["state"] == "post_failed":
            r["error_message"] = (r.get("posting") or {}).get("detail") or r["error_message"]
    return render(request, "failed.html", {
        "failed": [r for r in rows if r["state"] == "failed"],
        "post_failed": [r for r in rows if r["state"] == "post_failed"],
        "done": request.query_params.get("done")})


@router.post("/supervisor/retry/{doc_id}")
def retry(request: Request, doc_id: int, auth: A.Auth = Depends(SUPERVISOR)) -> Response:
    with get_rt(request).db.session() as s:
        state = editing.retry(s, doc_id, auth)
    editing.enqueue_after(state, doc_id)
    return RedirectResponse(f"/supervisor/failed?done={doc_id}", status_code=303)


@router.get("/admin/users")
def users_page(request: Request, auth: A.Auth = Depends(ADMIN)) -> Response:
    with get_rt(request).db.session() as s:
        users = list(s.scalars(select(User).order_by(User.username)))
    return render(request, "users.html", {"users": users, "roles": ROLES,
                                          "error": request.query_params.get("error", "")})


@router.post("/admin/users")
def create_user(request: Request, username: str = Form(""), password: str = Form(""),
                role: str = Form("reviewer"), auth: A.Auth = Depends(ADMIN)) -> Response:
    try:
        with get_rt(request).db.session() as s:
            A.add_user(s, username, password, role)
    except InputError as exc:
        from urllib.parse import quote
        return RedirectResponse("/admin/users?error=" + quote(exc.message), status_code=303)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}")
def update_user(request: Request, user_id: int, role: str = Form(""), active: str = Form(""),
                password: str = Form(""), auth: A.Auth = Depends(ADMIN)) -> Response:
    with get_rt(request).db.session() as s:
        user = s.get(User, user_id)
        if user is None:
            raise InputError(f"no user {user_id}")
        if role:
            if role not in ROLES:
                raise InputError(f"role must be one of {', '.join(ROLES)}")
            user.role = role
        if active in ("0", "1"):
            user.active = active == "1"
            if not user.active:
                s.execute(delete(UserSession).where(UserSession.user_id == user.id))
        if password:
            A.set_password(s, user, password)
    return RedirectResponse("/admin/users", status_code=303)
