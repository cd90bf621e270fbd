"""The bundled legacy portals as one FastAPI app: ACME Buyer Portal under ``/acme`` and
Globex Supplier Hub under ``/globex``, an ``/_admin`` API for tests (faults, sessions, master
data, records) and `serve_portals` which runs it with uvicorn in a background thread.

Quirks shared by both portals: login with a session cookie and idle expiry (an expired
session redirects to the login page, also in the middle of a form), a CSRF token in every
form (a POST without it is rejected with 403), a menu, and fault injection (500s, the
maintenance page, slow responses, killed sessions) driven by `FaultConfig`."""
from __future__ import annotations

import asyncio
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from bots.demo_portals.state import FaultConfig, PortalDB, Session, Sessions, seed

HERE = Path(__file__).parent
CURRENCIES = ["CHF", "EUR", "GBP", "USD"]

PORTALS: dict[str, dict[str, Any]] = {
    "acme": {"title": "ACME Buyer Portal", "cookie": "ACMESESSID",
             "menu": [("Home", "/acme/"), ("Purchase orders", "/acme/orders"),
                      ("Invoices", "/acme/invoices"), ("Upload invoice", "/acme/invoices/new")]},
    "globex": {"title": "Globex Supplier Hub", "cookie": "GXSESSION",
               "menu": [("Dashboard", "/globex/"), ("Invoices", "/globex/invoices"),
                        ("Record invoice", "/globex/invoices/new"),
                        ("Payments", "/globex/payments"),
                        ("Report payment", "/globex/payments/new")]},
}
DEFAULT_USERS = {"acme": {"supplier01": "acme-secret"}, "globex": {"buyer01": "globex-secret"}}


class LoginRequired(Exception):
    def __init__(self, portal: str, next_url: str) -> None:
        super().__init__(portal)
        self.portal, self.next_url = portal, next_url


@dataclass
class PortalState:
    db: PortalDB
    faults: FaultConfig
    sessions: Sessions
    users: dict[str, dict[str, str]]
    templates: Jinja2Templates
    page_size: int = 10
    extra: dict[str, Any] = field(default_factory=dict)

    # ---- helpers used by the portal routers ----------------------------------------
    def session(self, request: Request, portal: str) -> Session:
        s = self.sessions.get(portal, request.cookies.get(PORTALS[portal]["cookie"]))
        if s is None:
            raise LoginRequired(portal, str(request.url.path))
        return s

    @staticmethod
    def check_csrf(sess: Session, form: Any) -> None:
        if not secrets.compare_digest(str(form.get("csrf", "")), sess.csrf):
            raise HTTPException(403, "CSRF token missing or invalid")

    def variant(self, portal: str) -> str:
        return self.faults.ui_variant.get(portal, "v1")

    def confirmation(self, request: Request, portal: str, ref: str, what: str) -> HTMLResponse:
        """The confirmation page showing a submission's reference number."""
        sess = self.session(request, portal)
        return self.render(request, portal, "confirmation.html", sess=sess, reference=ref,
                           what=what)

    def render(self, request: Request, portal: str, name: str, *, status: int = 200,
               sess: Session | None = None, **ctx: Any) -> HTMLResponse:
        ctx.update(portal=portal, title=PORTALS[portal]["title"], menu=PORTALS[portal]["menu"],
                   user=sess.user if sess else None, csrf=sess.csrf if sess else "",
                   v=self.variant(portal))
        return self.templates.TemplateResponse(request, name, ctx, status_code=status)


def _error_500() -> HTMLResponse:
    return HTMLResponse("<html><head><title>500 Internal Server Error</title></head><body>"
                        "<h1>Internal Server Error</h1><p>java.lang.NullPointerException at "
                        "com.legacy.portal.Dispatcher</p></body></html>", status_code=500)


def create_app(db_path: Path | str, faults: FaultConfig | None = None,
               users: dict[str, dict[str, str]] | None = None) -> FastAPI:
    from bots.demo_portals import acme, globex

    faults = faults or FaultConfig()
    db = PortalDB(db_path)
    seed(db)
    st = PortalState(db, faults, Sessions(faults), users or DEFAULT_USERS,
                     Jinja2Templates(directory=str(HERE / "templates")))
    app = FastAPI(title="o2c demo legacy portals", docs_url=None, redoc_url=None)
    app.state.portals = st
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def inject_faults(request: Request, call_next: Any) -> Response:
        path = request.url.path
        portal = path.split("/")[1] if path.count("/") >= 1 else ""
        if portal not in PORTALS:
            return await call_next(request)
        fault = faults.draw(request.method, path)
        if fault is not None:
            kind, delay = fault
            if kind == "slow":
                await asyncio.sleep(delay)
            elif kind == "500":
                return _error_500()
            elif kind == "maintenance":
                return st.render(request, portal, "maintenance.html")
            elif kind == "expire":
                st.sessions.expire(request.cookies.get(PORTALS[portal]["cookie"]))
            elif kind == "500_after":
                await call_next(request)
                return _error_500()
        return await call_next(request)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/{exc.portal}/login?expired=1&next={quote(exc.next_url)}", 303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return HTMLResponse(f"<html><head><title>Error {exc.status_code}</title></head><body>"
                            f"<h1>Error {exc.status_code}</h1><p class='http-error'>"
                            f"{exc.detail}</p></body></html>", status_code=exc.status_code)

    for portal in PORTALS:
        _login_routes(app, st, portal)
    app.include_router(acme.router(st))
    app.include_router(globex.router(st))
    _admin_routes(app, st)
    return app


def _login_routes(app: FastAPI, st: PortalState, portal: str) -> None:
    cookie = PORTALS[portal]["cookie"]
    pre = f"{cookie}_PRE"

    @app.get(f"/{portal}/login", name=f"{portal}_login")
    def login_form(request: Request, next: str = f"/{portal}/", expired: int = 0,
                   error: str = "") -> Response:
        token = secrets.token_urlsafe(16)
        resp = st.render(request, portal, "login.html", login_csrf=token, next=next,
                         expired=expired, error=error)
        resp.set_cookie(pre, token, httponly=True, samesite="lax")
        return resp

    @app.post(f"/{portal}/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        if not request.cookies.get(pre) or form.get("csrf") != request.cookies.get(pre):
            raise HTTPException(403, "CSRF token missing or invalid")
        user, pw = str(form.get("username", "")), str(form.get("password", ""))
        nxt = str(form.get("next") or f"/{portal}/")
        if not nxt.startswith(f"/{portal}/"):
            nxt = f"/{portal}/"
        if st.users.get(portal, {}).get(user) != pw or not pw:
            return RedirectResponse(f"/{portal}/login?error=Invalid+user+or+password"
                                    f"&next={quote(nxt)}", 303)
        resp = RedirectResponse(nxt, 303)
        resp.set_cookie(cookie, st.sessions.create(portal, user), httponly=True, samesite="lax")
        return resp

    @app.get(f"/{portal}/logout")
    def logout(request: Request) -> Response:
        st.sessions.expire(request.cookies.get(cookie))
        return RedirectResponse(f"/{portal}/login", 303)

    @app.get(f"/{portal}/")
    def home(request: Request) -> Response:
        sess = st.session(request, portal)
        return st.render(request, portal, "home.html", sess=sess)

    @app.get(f"/{portal}/api/currencies")
    def currencies(request: Request) -> Response:
        st.session(request, portal)
        time.sleep(st.faults.xhr_delay_s)
        return JSONResponse([{"code": c, "label": c} for c in CURRENCIES])


def _admin_routes(app: FastAPI, st: PortalState) -> None:
    @app.post("/_admin/faults")
    def add_fault(rule: dict[str, Any]) -> dict[str, Any]:
        st.faults.add_rule(rule["path"], rule["kind"], int(rule.get("count", 1)),
                           rule.get("method"), float(rule.get("delay_s", 2.0)))
        return {"ok": True}

    @app.post("/_admin/reset")
    def reset() -> dict[str, Any]:
        st.faults.clear()
        return {"ok": True}

    @app.post("/_admin/config")
    def config(cfg: dict[str, Any]) -> dict[str, Any]:
        for k in ("session_ttl_s", "error_rate", "maintenance_rate", "slow_rate", "slow_s",
                  "xhr_delay_s"):
            if k in cfg:
                setattr(st.faults, k, float(cfg[k]))
        st.faults.ui_variant.update(cfg.get("ui_variant", {}))
        return {"ok": True}

    @app.post("/_admin/sessions/expire")
    def expire() -> dict[str, Any]:
        st.sessions.expire()
        return {"ok": True}

    @app.post("/_admin/po")
    def add_po(po: dict[str, Any]) -> dict[str, Any]:
        st.db.upsert_po(po["portal"], po["po_number"], po["lines"],
                        currency=po.get("currency", "EUR"), status=po.get("status", "open"))
        return {"ok": True}

    @app.get("/_admin/records")
    def records(portal: str, kind: str, key: str | None = None) -> list[dict[str, Any]]:
        return [dict(r) for r in st.db.records(portal, kind, key)]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class PortalServer:
    """Handle on running portals: URLs, their database, live fault config, stop()."""

    host: str
    port: int
    db: PortalDB
    faults: FaultConfig
    sessions: Sessions
    _server: uvicorn.Server
    _thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def base_url(self, portal: str) -> str:
        return f"{self.url}/{portal}"

    def count(self, portal: str, kind: str, key: str) -> int:
        return self.db.count(portal, kind, key)

    def records(self, portal: str, kind: str, key: str | None = None) -> list[dict[str, Any]]:
        out = []
        for r in self.db.records(portal, kind, key):
            d = dict(r)
            d["header"], d["lines"] = json.loads(d["header"]), json.loads(d["lines"])
            out.append(d)
        return out

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def serve_portals(host: str = "127.0.0.1", port: int = 0, db_path: Path | str = "portals.sqlite3",
                  faults: FaultConfig | None = None,
                  users: dict[str, dict[str, str]] | None = None) -> PortalServer:
    """Start both portals with uvicorn in a daemon thread (port 0: a free port) and return
    once they accept connections."""
    faults = faults or FaultConfig()
    app = create_app(db_path, faults, users)
    port = port or free_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                           access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, name="o2c-demo-portals", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"demo portals failed to start on {host}:{port}")
        time.sleep(0.02)
    st: PortalState = app.state.portals
    return PortalServer(host, port, st.db, faults, st.sessions, server, thread)
