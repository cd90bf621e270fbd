"""Accounts, passwords, sessions, login rate limiting and role checks.

* Passwords: ``hashlib.scrypt`` (n=2**14, r=8, p=1) with a 16-byte random salt, stored as
  ``scrypt$n$r$p$salt$hash`` (base64); verified in constant time.
* Sessions: a random cookie token; the database keeps only its SHA-256, the user, a
  per-session CSRF token and a sliding expiry (`SESSION_TTL`).
* Rate limiting: `MAX_FAILURES` failed logins per username+IP within `FAILURE_WINDOW`
  block further attempts for that pair until the window passes.
* Roles: reviewer < supervisor < admin.  `require_role(role)` is the dependency every
  route carries; its `min_role` attribute lets tests enumerate the app's routes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from fastapi import Request
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.errors import InputError
from review_ui.models import ROLES, LoginFailure, User, UserSession, aware

SESSION_TTL = timedelta(hours=8)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=5)
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
RANK = {r: i for i, r in enumerate(ROLES)}
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
COOKIE = "o2c_session"


def now() -> datetime:
    return datetime.now(timezone.utc)


# ---- passwords -------------------------------------------------------------------------
def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            dklen=32)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(base64.b64decode(digest)))
        return hmac.compare_digest(got, base64.b64decode(digest))
    except (ValueError, TypeError):
        return False


_DUMMY_HASH = hash_password(secrets.token_hex(8))


# ---- users -----------------------------------------------------------------------------
def add_user(session: Session, username: str, password: str, role: str = "reviewer") -> User:
    """Create an account (the `o2c users add` command calls this)."""
    if not USERNAME_RE.match(username or ""):
        raise InputError("username: 2-64 letters, digits or . _ @ -")
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}")
    if len(password or "") < 8:
        raise InputError("password: at least 8 characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise InputError(f"user {username!r} already exists")
    user = User(username=username, password_hash=hash_password(password), role=role,
                active=True, created_at=now())
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    if len(password or "") < 8:
        raise InputError("password: at least 8 characters")
    user.password_hash = hash_password(password)
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))


# ---- login and sessions ----------------------------------------------------------------
class RateLimited(Exception):
    """Too many failed logins for this username and address."""


def recent_failures(session: Session, username: str, ip: str) -> int:
    return session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.username == username[:64], LoginFailure.ip == ip[:64],
        LoginFailure.at >= now() - FAILURE_WINDOW)) or 0


def authenticate(session: Session, username: str, password: str, ip: str) -> User | None:
    """The active user with these credentials, or None (a failure is recorded).  Raises
    `RateLimited` once `MAX_FAILURES` failures happened within the window."""
    username = (username or "").strip()[:64]
    if recent_failures(session, username, ip) >= MAX_FAILURES:
        raise RateLimited("too many failed logins: wait a few minutes and try again")
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(password or "", user.password_hash if user else _DUMMY_HASH)
    if not (user and ok and user.active):
        session.add(LoginFailure(username=username, ip=ip[:64], at=now()))
        return None
    session.execute(delete(LoginFailure).where(LoginFailure.username == username,
                                               LoginFailure.ip == ip[:64]))
    user.last_login_at = now()
    return user


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_session(session: Session, user: User, ip: str) -> str:
    """A new session for `user`; returns the cookie value (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    t = now()
    session.add(UserSession(id=token_hash(token), user_id=user.id,
                            csrf_token=secrets.token_urlsafe(32), created_at=t,
                            expires_at=t + SESSION_TTL, last_seen_at=t, ip=ip[:64]))
    session.execute(delete(UserSession).where(UserSession.expires_at < t))
    return token


def end_session(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.id == token_hash(token)))


@dataclass(frozen=True)
class Auth:
    user_id: int
    username: str
    role: str
    csrf: str = ""
    session_id: str = ""
    via: str = "session"          # session | token

    def has(self, role: str) -> bool:
        return RANK.get(self.role, -1) >= RANK[role]

    @property
    def actor(self) -> str:
        return f"user:{self.username}"


def load_session(session: Session, token: str) -> Auth | None:
    """The signed-in user for a cookie token, sliding the expiry forward; None if the
    session is unknown, expired or the account disabled."""
    if not token or len(token) > 128:
        return None
    row = session.get(UserSession, token_hash(token))
    t = now()
    if row is None or (aware(row.expires_at) or t) <= t:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if t - (aware(row.last_seen_at) or t) > timedelta(seconds=60):
        row.last_seen_at = t
        row.expires_at = t + SESSION_TTL
    return Auth(user.id, user.username, user.role, row.csrf_token, row.id)


# ---- route guards ----------------------------------------------------------------------
class NotAuthenticated(Exception):
    """No (valid) session or token: pages redirect to the login form, the API says 401."""


class Forbidden(Exception):
    """Signed in, but the role does not allow this."""


def require_role(role: str, *, allow_token: bool = False) -> Callable[[Request], Auth]:
    """Dependency: the request's `Auth` when it has at least `role` (or, with
    `allow_token`, carries the API bearer token)."""
    if role not in RANK:
        raise ValueError(role)

    def dep(request: Request) -> Auth:
        auth: Auth | None = getattr(request.state, "auth", None)
        if auth is None and allow_token and getattr(request.state, "token_ok", False):
            return Auth(0, "api", "reviewer", via="token")
        if auth is None or auth.via != "session":
            raise NotAuthenticated()
        if not auth.has(role):
            raise Forbidden(f"this needs the {role} role; you are {auth.role}")
        return auth

    dep.min_role = role  # type: ignore[attr-defined]
    dep.allow_token = allow_token  # type: ignore[attr-defined]
    return dep


def public(request: Request) -> None:
    """Marks a route as open to anyone (login form, health check, static files)."""


public.min_role = None  # type: ignore[attr-defined]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def describe(auth: Auth | None) -> dict[str, Any]:
    return {"username": auth.username, "role": auth.role} if auth else {}
