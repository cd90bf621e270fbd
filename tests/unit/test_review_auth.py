"""Review UI security: password hashing, accounts, rate limiting, sessions, and a
table-driven check over every route of the app (anonymous -> 401/redirect, reviewer ->
403 on supervisor/admin routes, CSRF on every state-changing request, headers)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from core.errors import InputError
from review_ui import auth as A
from review_ui.app import create_app
from review_ui.models import UserSession

PASSWORD = "correct horse battery"


def test_password_hash_is_salted_scrypt_and_verifies():
    h1, h2 = A.hash_password("s3cret-pass"), A.hash_password("s3cret-pass")
    assert h1.startswith("scrypt$") and h1 != h2
    assert A.verify_password("s3cret-pass", h1) and not A.verify_password("wrong", h1)
    assert not A.verify_password("x", "garbage")


def test_add_user_validates(rt):
    with rt.db.session() as s:
        u = A.add_user(s, "alice", PASSWORD, "supervisor")
        assert u.role == "supervisor" and "correct" not in u.password_hash
        for bad in [("alice", PASSWORD, "reviewer"), ("x y", PASSWORD, "reviewer"),
                    ("bob", "short", "reviewer"), ("bob", PASSWORD, "king")]:
            with pytest.raises(InputError):
                A.add_user(s, *bad)


def test_login_rate_limit_per_username_and_ip(rt):
    with rt.db.session() as s:
        A.add_user(s, "carol", PASSWORD, "reviewer")
    for _ in range(A.MAX_FAILURES):
        with rt.db.session() as s:
            assert A.authenticate(s, "carol", "nope", "10.0.0.1") is None
    with rt.db.session() as s, pytest.raises(A.RateLimited):
        A.authenticate(s, "carol", PASSWORD, "10.0.0.1")
    with rt.db.session() as s:      # another address is not blocked
        assert A.authenticate(s, "carol", PASSWORD, "10.0.0.2") is not None


def test_sessions_expire(rt):
    with rt.db.session() as s:
        user = A.add_user(s, "dave", PASSWORD, "reviewer")
        token = A.create_session(s, user, "1.2.3.4")
    with rt.db.session() as s:
        assert A.load_session(s, token).username == "dave"
        row = s.get(UserSession, A.token_hash(token))
        row.expires_at = A.now() - timedelta(seconds=1)
    with rt.db.session() as s:
        assert A.load_session(s, token) is None


def _login(c: TestClient, username: str) -> str:
    form = c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    page = c.get("/queue").text
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


@pytest.fixture
def app(rt):
    from queues import broker as qbroker
    qbroker.install(rt.settings)
    from queues import actors  # noqa: F401
    with rt.db.session() as s:
        for name, role in [("rev", "reviewer"), ("sup", "supervisor"), ("adm", "admin")]:
            A.add_user(s, name, PASSWORD, role)
    return create_app(rt)


def _api_routes(routes):
    for r in routes:
        if isinstance(r, APIRoute):
            yield r
        elif hasattr(r, "original_router"):         # FastAPI >= 0.16x wraps included routers
            yield from _api_routes(r.original_router.routes)


def _routes(app):
    for r in _api_routes(app.routes):
        if True:
            deps = [d.call for d in r.dependant.dependencies]
            roles = [getattr(d, "min_role", "missing") for d in deps if hasattr(d, "min_role")]
            for m in sorted(r.methods - {"HEAD"}):
                yield m, re.sub(r"\{[^}]+\}", "1", r.path), roles


def test_every_route_declares_who_may_call_it(app):
    assert len(list(_routes(app))) >= 20
    for method, path, roles in _routes(app):
        assert roles, f"{method} {path} has no require_role/public dependency"


def test_anonymous_is_refused_everywhere_but_public_routes(app):
    c = TestClient(app)
    for method, path, roles in _routes(app):
        r = c.request(method, path, follow_redirects=False, headers={"Accept": "text/html"})
        if roles == [None]:
            assert r.status_code < 400 or r.status_code in (401, 403), (method, path)
            continue
        if method == "GET" and not path.startswith("/api/"):
            assert r.status_code == 303 and r.headers["location"].startswith("/login"), (method, path)
        else:
            assert r.status_code == 401, (method, path, r.status_code)


def test_reviewer_is_forbidden_supervisor_and_admin_routes(app):
    c = TestClient(app)
    csrf = _login(c, "rev")
    checked = 0
    for method, path, roles in _routes(app):
        if roles and roles[0] in ("supervisor", "admin"):
            r = c.request(method, path, headers={"X-CSRF-Token": csrf}, follow_redirects=False)
            assert r.status_code == 403, (method, path, r.status_code)
            checked += 1
    assert checked >= 5
    sup = TestClient(app)
    _login(sup, "sup")
    assert sup.get("/supervisor").status_code == 200
    assert sup.get("/admin/users").status_code == 403
    adm = TestClient(app)
    _login(adm, "adm")
    assert adm.get("/admin/users").status_code == 200


def test_csrf_required_on_every_state_changing_route(app):
    c = TestClient(app)
    _login(c, "adm")
    for method, path, roles in _routes(app):
        if method in ("POST", "PUT", "PATCH", "DELETE") and roles != [None]:
            r = c.request(method, path, json={}, follow_redirects=False)
            assert r.status_code == 403 and r.json()["error"] == "csrf", (method, path)
            r = c.request(method, path, data={"csrf_token": "forged"}, follow_redirects=False)
            assert r.status_code == 403, (method, path)


def test_security_headers_and_cookie_flags(app):
    c = TestClient(app)
    r = c.get("/login")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["referrer-policy"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    r = c.post("/login", data={"username": "rev", "password": PASSWORD, "csrf_token": token},
               follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "<script>" not in c.get("/queue").text.replace('<script src=', '').replace(
        '<script type="application/json"', '')


def test_login_form_needs_its_csrf_cookie_and_rate_limits(app):
    c = TestClient(app)
    assert c.post("/login", data={"username": "rev", "password": PASSWORD,
                                  "csrf_token": "x"}).status_code == 403
    form = c.get("/login").text
    codes = []
    for _ in range(6):          # each answer carries a fresh form token
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        r = c.post("/login", data={"username": "rev", "password": "bad", "csrf_token": token},
                   follow_redirects=False)
        codes.append(r.status_code)
        form = r.text
    assert codes[:5] == [401] * 5 and codes[5] == 429


def test_secure_cookie_when_configured(rt, app):
    c = TestClient(create_app(rt, secure_cookies="1"), base_url="https://testserver")
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": "rev", "password": PASSWORD, "csrf_token": token},
               follow_redirects=False)
    assert "secure" in r.headers["set-cookie"].lower()
