"""One ASGI middleware for the cross-cutting security rules:

* loads the signed-in user from the session cookie (into ``request.state.auth``) and
  notes whether the request carries the API bearer token (``request.state.token_ok``);
* CSRF: every POST/PUT/PATCH/DELETE made with a session cookie must carry the session's
  CSRF token, in the ``X-CSRF-Token`` header or a ``csrf_token`` form field; otherwise
  403 ``{"error": "csrf", ...}``.  Bearer-token API calls carry no cookie and are exempt;
* adds the security headers (strict CSP, nosniff, referrer policy, frame denial) and
  ``Cache-Control: no-store`` unless a route set its own caching.
"""
from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import anyio

from core.runtime import Runtime
from review_ui import auth as A

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_FORM_BYTES = 1_000_000


def cookies_of(scope: Scope) -> dict[str, str]:
    raw = b"; ".join(v for k, v in scope.get("headers", []) if k == b"cookie").decode("latin-1")
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:
        return {}
    return {k: m.value for k, m in jar.items()}


def header(scope: Scope, name: bytes) -> str:
    for k, v in scope.get("headers", []):
        if k == name:
            return v.decode("latin-1")
    return ""


class SecurityMiddleware:
    def __init__(self, app: Callable[..., Awaitable[None]], rt: Runtime) -> None:
        self.app = app
        self.rt = rt

    def _load(self, token: str) -> A.Auth | None:
        with self.rt.db.session() as s:
            return A.load_session(s, token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = cookies_of(scope).get(A.COOKIE, "")
        auth = await anyio.to_thread.run_sync(self._load, token) if token else None
        api_token = self.rt.settings.api_token
        authz = header(scope, b"authorization")
        token_ok = bool(api_token) and hmac.compare_digest(authz.encode(),
                                                           f"Bearer {api_token}".encode())
        state = scope.setdefault("state", {})
        state["auth"], state["token_ok"] = auth, token_ok

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                hs = list(message.get("headers", []))
                names = {k.lower() for k, _ in hs}
                hs += [h for h in SECURITY_HEADERS if h[0] not in names]
                if b"cache-control" not in names:
                    hs.append((b"cache-control", b"no-store"))
                message["headers"] = hs
            await send(message)

        if scope["method"] not in SAFE_METHODS and auth is not None and not token_ok:
            sent = header(scope, b"x-csrf-token")
            ctype = header(scope, b"content-type")
            if not sent and ctype.startswith("application/x-www-form-urlencoded"):
                body, receive = await _buffer(receive)
                sent = (parse_qs(body.decode("utf-8", "replace")).get("csrf_token") or [""])[0]
            if not sent or not hmac.compare_digest(sent.encode(), auth.csrf.encode()):
                await _json(send_with_headers, 403, {
                    "error": "csrf", "message": "missing or wrong CSRF token: reload the page "
                                                "and try again"})
                return
        await self.app(scope, receive, send_with_headers)


async def _buffer(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole (small) request body and return a `receive` that replays it."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            break
        chunks.append(msg.get("body", b""))
        size += len(chunks[-1])
        more = msg.get("more_body", False) and size <= MAX_FORM_BYTES
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


async def _json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
