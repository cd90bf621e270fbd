"""The `postings` table (on `core.models.Base`, created by migration 0005_bots): one row per
(document, portal, task) delivery attempt chain, keyed by an idempotency key that is stored
BEFORE anything is submitted.

Status: ``started`` (row written, nothing submitted yet) -> ``submitted`` (the final submit
click is about to happen / happened; the outcome is unknown until read back) ->
``confirmed`` (confirmation number read back, proof saved) | ``failed`` (business error or
broken recipe; ``error_kind`` says which).  A row left in ``submitted`` by a crashed worker
is resolved by the next run's search-before-submit."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Database
from core.models import Base, utcnow

POSTING_STATUSES = ("started", "submitted", "confirmed", "failed")


class Posting(Base):
    __tablename__ = "postings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(Integer, index=True)
    portal: Mapped[str] = mapped_column(String(64))
    task: Mapped[str] = mapped_column(String(64))
    business_key: Mapped[str | None] = mapped_column(String(128))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    confirmation: Mapped[str | None] = mapped_column(String(128))
    screenshot_path: Mapped[str | None] = mapped_column(String(1024))
    trace_path: Mapped[str | None] = mapped_column(String(1024))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    recovered: Mapped[int] = mapped_column(Integer, default=0)
    error_kind: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for col in self.__table__.columns:
            v = getattr(self, col.name)
            out[col.name] = v.isoformat() if isinstance(v, datetime) else v
        return out


def begin_posting(db: Database, snap: dict[str, Any], portal: str, task: str, bkey: str,
                  ikey: str) -> Posting:
    """The posting row for `ikey`, inserted with status ``started`` when new - committed
    before the portal is touched."""
    with db.session() as s:
        row = s.scalars(select(Posting).where(Posting.idempotency_key == ikey)).first()
        if row is not None:
            return row
        row = Posting(document_id=int(snap["id"]), portal=portal, task=task, business_key=bkey,
                      idempotency_key=ikey, status="started", attempts=0, recovered=0,
                      created_at=utcnow(), updated_at=utcnow())
        s.add(row)
        try:
            s.flush()
        except IntegrityError:  # a racing worker inserted it first: use theirs
            s.rollback()
            row = s.scalars(select(Posting).where(Posting.idempotency_key == ikey)).one()
        return row


def update_posting(db: Database, ikey: str, **values: Any) -> Posting:
    with db.session() as s:
        row = s.scalars(select(Posting).where(Posting.idempotency_key == ikey)).one()
        for k, v in values.items():
            setattr(row, k, v)
        row.updated_at = utcnow()
        return row


def postings_for(db: Database, document_id: int) -> list[dict[str, Any]]:
    with db.session() as s:
        rows = s.scalars(select(Posting).where(Posting.document_id == document_id)
                         .order_by(Posting.id))
        return [r.as_dict() for r in rows]
