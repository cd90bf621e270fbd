"""Sign in and out.  The login form is protected against CSRF with a double-submit
cookie (there is no session yet); failed logins are rate limited per username+IP."""
from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from review_ui import auth as A
from review_ui.web import get_rt, render, safe_next

router = APIRouter()
LOGIN_CSRF = "o2c_login_csrf"
REVIEWER = A.require_role("reviewer")


def _secure(request: Request) -> bool:
    mode = request.app.state.secure_cookies
    return mode in ("1", "true", "yes") or (mode == "auto" and request.url.scheme == "https")


def _login_form(request: Request, error: str = "", status: int = 200,
                next_url: str = "/queue") -> Response:
    token = secrets.token_urlsafe(24)
    resp = render(request, "login.html", {"login_csrf": token, "error": error,
                                          "next": safe_next(next_url)}, status=status)
    resp.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", secure=_secure(request),
                    path="/login", max_age=3600)
    return resp


@router.get("/login", dependencies=[Depends(A.public)])
def login_page(request: Request, next: str = "/queue") -> Response:
    if getattr(request.state, "auth", None) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, next_url=next)


@router.post("/login", dependencies=[Depends(A.public)])
def login(request: Request, username: str = Form(""), password: str = Form(""),
          csrf_token: str = Form(""), next: str = Form("/queue")) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), csrf_token.encode()):
        return _login_form(request, "The form expired: please sign in again.", 403, next)
    rt = get_rt(request)
    ip = A.client_ip(request)
    try:
        with rt.db.session() as s:
            user = A.authenticate(s, username, password, ip)
            token = A.create_session(s, user, ip) if user else None
    except A.RateLimited as exc:
        return _login_form(request, str(exc), 429, next)
    if token is None:
        return _login_form(request, "Wrong username or password.", 401, next)
    resp = RedirectResponse(safe_next(next), status_code=303)
    resp.set_cookie(A.COOKIE, token, httponly=True, samesite="strict", secure=_secure(request),
                    path="/", max_age=int(A.SESSION_TTL.total_seconds()))
    resp.delete_cookie(LOGIN_CSRF, path="/login")
    return resp


@router.post("/logout")
def logout(request: Request, auth: A.Auth = Depends(REVIEWER)) -> Response:
    token = request.cookies.get(A.COOKIE, "")
    with get_rt(request).db.session() as s:
        A.end_session(s, token)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(A.COOKIE, path="/")
    return resp
