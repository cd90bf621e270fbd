"""Shared pieces of the route modules: templates, rendering with the signed-in user and
CSRF token, JSON body parsing with a size limit, HTML-or-JSON error answers."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from core.errors import InputError
from review_ui.auth import Auth

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
MAX_JSON_BYTES = 512_000


def _conf_class(c: Any) -> str:
    try:
        c = float(c)
    except (TypeError, ValueError):
        return "conf-none"
    return "conf-hi" if c >= 0.95 else "conf-mid" if c >= 0.8 else "conf-lo"


def _when(v: Any) -> str:
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    return str(v or "")[:16].replace("T", " ")


TEMPLATES.env.filters["conf_class"] = _conf_class
TEMPLATES.env.filters["when"] = _when
TEMPLATES.env.autoescape = True


def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    auth: Auth | None = getattr(request.state, "auth", None)
    full = {"auth": auth, "csrf": auth.csrf if auth else "", **ctx}
    return TEMPLATES.TemplateResponse(request, name, full, status_code=status)


def wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return False
    accept = request.headers.get("accept", "")
    return request.method == "GET" and ("text/html" in accept or accept in ("", "*/*"))


def error_response(request: Request, status: int, kind: str, message: str) -> HTMLResponse | JSONResponse:
    if wants_html(request):
        return render(request, "error.html", {"status": status, "kind": kind, "message": message},
                      status=status)
    return JSONResponse({"error": kind, "message": message}, status_code=status)


async def json_body(request: Request) -> dict[str, Any]:
    size = int(request.headers.get("content-length") or 0)
    if size > MAX_JSON_BYTES:
        raise InputError("request too large")
    raw = await request.body()
    if len(raw) > MAX_JSON_BYTES:
        raise InputError("request too large")
    try:
        data = json.loads(raw or b"{}")
    except ValueError as exc:
        raise InputError(f"invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError("expected a JSON object")
    return data


def get_rt(request: Request) -> Any:
    """The `Runtime` the app was created with."""
    return request.app.state.rt


def safe_next(target: str | None, default: str = "/queue") -> str:
    """Only same-site absolute paths: no open redirects."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
