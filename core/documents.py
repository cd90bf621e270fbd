"""Operations on `Document` rows: create, find, claim, transition, audit.

Every state change goes through `transition` (checked against `core.states`) and writes an
`AuditEvent` in the same transaction.  Stage actors use `claim` - one atomic UPDATE - so two
workers can never run the same stage of the same document at once, and a claim abandoned
by a crashed worker can be taken over once it is older than the stuck timeout.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from core.errors import DocumentNotFound
from core.models import AuditEvent, Document, utcnow
from core.states import State, check_transition


def get(session: Session, doc_id: int) -> Document:
    doc = session.get(Document, doc_id)
    if doc is None:
        raise DocumentNotFound(f"document {doc_id} does not exist")
    return doc


def find_by_sha(session: Session, sha256: str) -> Document | None:
    return session.scalars(select(Document).where(Document.sha256 == sha256)).first()


def audit(session: Session, doc: Document, actor: str, action: str, *,
          before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
          detail: str | None = None) -> AuditEvent:
    ev = AuditEvent(document_id=doc.id, actor=actor, action=action, before=before,
                    after=after, detail=detail, at=utcnow())
    session.add(ev)
    return ev


def transition(session: Session, doc: Document, dst: State, *, actor: str,
               detail: str | None = None, **changes: Any) -> None:
    """Move `doc` to `dst` (raises InvalidTransition), apply column `changes`, audit it."""
    src = doc.state
    check_transition(src, dst)
    doc.state = dst.value
    for k, v in changes.items():
        setattr(doc, k, v)
    if dst not in (State.EXTRACTING, State.POSTING):
        doc.claimed_at = None
    doc.version += 1
    doc.updated_at = utcnow()
    audit(session, doc, actor, "transition", before={"state": src}, after={"state": dst.value},
          detail=detail)


def claim(session: Session, doc_id: int, src: State, working: State, *,
          stale_after: timedelta, now: datetime | None = None) -> int | None:
    """Atomically move a document from `src` into the claimed `working` state, or take over
    a claim on `working` older than `stale_after`.  Returns the claim token (the attempt
    number) when this caller holds the claim, else None.  Commits at once so the claim is
    visible to everyone; `holds_claim` tells later whether the claim is still ours."""
    check_transition(src, working)
    now = now or utcnow()
    stale = now - stale_after
    prev = session.scalar(select(Document.state).where(Document.id == doc_id))
    res = session.execute(
        update(Document)
        .where(Document.id == doc_id)
        .where(or_(Document.state == src.value,
                   (Document.state == working.value) & (Document.claimed_at < stale)))
        .values(state=working.value, claimed_at=now, updated_at=now,
                attempts=Document.attempts + 1, version=Document.version + 1)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:
        session.rollback()
        return None
    doc = session.get(Document, doc_id)
    session.refresh(doc)
    takeover = prev == working.value
    audit(session, doc, "system", "claim", before={"state": prev},
          after={"state": working.value},
          detail=f"attempt {doc.attempts}" + (" (took over a stale claim)" if takeover else ""))
    session.commit()
    return doc.attempts


RELEASED = datetime(1970, 1, 1, tzinfo=timezone.utc)


def release(session: Session, doc_id: int, token: int) -> None:
    """Give a claim back (after a transient error) so a retry can take it at once."""
    session.execute(
        update(Document).where(Document.id == doc_id, Document.attempts == token)
        .values(claimed_at=RELEASED).execution_options(synchronize_session=False))


def holds_claim(doc: Document, working: State, token: int) -> bool:
    """Does the caller that claimed with `token` still own `doc` in `working`?"""
    return doc.state == working.value and doc.attempts == token


def touch_claim(session: Session, doc_id: int, working: State, token: int) -> bool:
    """Heartbeat: a live worker refreshes its claim so that only dead workers' claims go
    stale.  False when the claim is no longer ours."""
    now = utcnow()
    res = session.execute(
        update(Document).where(Document.id == doc_id, Document.attempts == token,
                               Document.state == working.value)
        .values(claimed_at=now, updated_at=now).execution_options(synchronize_session=False))
    return res.rowcount == 1
