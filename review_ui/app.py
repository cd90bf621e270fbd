"""FastAPI application factory.  `create_app(runtime)` - the runtime (settings, database,
store) is built at the entry point and passed in.

Routes live in `review_ui.routes` (auth, queue, document, admin, api); every one of them
declares who may call it (`auth.require_role` or `auth.public`).  `SecurityMiddleware`
loads the session, enforces CSRF on state-changing requests and sets security headers.

``O2C_COOKIE_SECURE`` (read here, at the entry point): ``1`` always marks the session
cookie Secure, ``0`` never, ``auto`` (default) when the request came over HTTPS."""
from __future__ import annotations

import os
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import func, select, text
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import DocumentNotFound, InputError, InvalidTransition, O2CError
from core.models import Document
from core.runtime import Runtime
from review_ui import auth as A
from review_ui.editing import Conflict
from review_ui.locks import Locked
from review_ui.routes import admin, api, document, queue
from review_ui.routes import auth as auth_routes
from review_ui.security import SecurityMiddleware
from review_ui.web import error_response, wants_html

STATIC = Path(__file__).parent / "static"


def create_app(rt: Runtime, *, secure_cookies: str | None = None) -> FastAPI:
    app = FastAPI(title="o2c-capture", version="0.1.0", docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.rt = rt
    app.state.secure_cookies = (secure_cookies or os.environ.get("O2C_COOKIE_SECURE", "auto")).lower()
    app.add_middleware(SecurityMiddleware, rt=rt)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.exception_handler(A.NotAuthenticated)
    async def _unauth(request: Request, _exc: A.NotAuthenticated) -> Response:
        if wants_html(request):
            from urllib.parse import quote
            return Response(status_code=303, headers={
                "location": "/login?next=" + quote(request.url.path, safe="/")})
        return JSONResponse({"error": "unauthenticated",
                             "message": "sign in (or send the API token) first"}, status_code=401)

    @app.exception_handler(A.Forbidden)
    async def _forbidden(request: Request, exc: A.Forbidden) -> Response:
        return error_response(request, 403, "forbidden", str(exc))

    @app.exception_handler(O2CError)
    async def _o2c_error(request: Request, exc: O2CError) -> Response:
        status = (404 if isinstance(exc, DocumentNotFound) else
                  409 if isinstance(exc, (Conflict, Locked, InvalidTransition)) else
                  400 if isinstance(exc, InputError) else 503)
        return error_response(request, status, exc.kind, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        kind = {401: "unauthenticated", 403: "forbidden", 404: "not_found",
                413: "too_large"}.get(exc.status_code, "http_error")
        resp = error_response(request, exc.status_code, kind, str(exc.detail))
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        msg = f"{'.'.join(str(p) for p in first.get('loc', []))}: {first.get('msg', 'invalid')}"
        return error_response(request, 422, "bad_input", msg)

    @app.get("/healthz", dependencies=[Depends(A.public)])
    def healthz() -> JSONResponse:
        try:
            with rt.db.session() as s:
                s.execute(text("SELECT 1"))
                counts = dict(s.execute(select(Document.state, func.count())
                                        .group_by(Document.state)).all())
            return JSONResponse({"status": "ok", "database": "ok",
                                 "broker": rt.settings.broker_kind, "documents": counts})
        except O2CError as exc:
            return JSONResponse({"status": "error", "database": exc.message}, status_code=503)

    for module in (auth_routes, queue, document, admin, api):
        app.include_router(module.router)
    return app
