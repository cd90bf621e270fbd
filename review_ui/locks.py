"""Document locks: whoever opens a document for review holds it for `LOCK_TTL`; the page
renews the lock while it stays open.  Others see it as locked (read only); a supervisor
may take it over.  Expired locks are free for anyone."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import O2CError
from review_ui.auth import Auth
from review_ui.models import DocumentLock, aware

LOCK_TTL = timedelta(minutes=10)


class Locked(O2CError):
    kind = "locked"


@dataclass
class LockState:
    held: bool                    # by the caller
    by: str | None = None         # who holds it (when not the caller)
    expires_at: datetime | None = None

    def as_dict(self) -> dict[str, object]:
        return {"held": self.held, "by": self.by,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def current(session: Session, doc_id: int) -> DocumentLock | None:
    lock = session.get(DocumentLock, doc_id)
    if lock is not None and (aware(lock.expires_at) or _now()) <= _now():
        return None
    return lock


def acquire(session: Session, doc_id: int, auth: Auth, *, override: bool = False) -> LockState:
    """Take or renew the lock; `override` (supervisors) takes it from someone else."""
    now = _now()
    lock = session.get(DocumentLock, doc_id)
    if lock is None:
        try:
            with session.begin_nested():
                session.add(DocumentLock(document_id=doc_id, user_id=auth.user_id,
                                         username=auth.username, acquired_at=now,
                                         expires_at=now + LOCK_TTL))
            return LockState(True, expires_at=now + LOCK_TTL)
        except IntegrityError:            # someone else was quicker
            lock = session.get(DocumentLock, doc_id)
            if lock is None:
                return LockState(False, "someone")
    expired = (aware(lock.expires_at) or now) <= now
    if lock.user_id == auth.user_id or expired or (override and auth.has("supervisor")):
        if lock.user_id != auth.user_id:
            lock.acquired_at = now
        lock.user_id, lock.username, lock.expires_at = auth.user_id, auth.username, now + LOCK_TTL
        return LockState(True, expires_at=lock.expires_at)
    return LockState(False, lock.username, aware(lock.expires_at))


def require(session: Session, doc_id: int, auth: Auth) -> None:
    """Raise `Locked` unless the caller holds (or can take) the document's lock."""
    st = acquire(session, doc_id, auth)
    if not st.held:
        raise Locked(f"{st.by} is working on this document (locked until "
                     f"{st.expires_at:%H:%M} UTC); a supervisor can take it over")


def release(session: Session, doc_id: int, auth: Auth) -> None:
    session.execute(delete(DocumentLock).where(DocumentLock.document_id == doc_id,
                                               DocumentLock.user_id == auth.user_id))


def locked_by_others(session: Session, auth: Auth) -> set[int]:
    return set(session.scalars(select(DocumentLock.document_id).where(
        DocumentLock.user_id != auth.user_id, DocumentLock.expires_at > _now())))
