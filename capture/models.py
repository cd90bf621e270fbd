"""Capture tables (on `core.models.Base`, created by migration 0002):

* `MailboxState` - per configured mailbox: the folder's UIDVALIDITY and the last UID whose
  processing is committed.  Advanced in the same transaction that records the mail.
* `MailEnvelope` - one row per mail seen (mailbox, UIDVALIDITY, UID unique), with the
  Message-ID (indexed, for dedup), sender, subject, date, status and reason.
  status: ingested | duplicate | skipped | rejected | quarantined.
* `envelope_documents` - which documents came from which mail (many-to-many: the same
  file may arrive in several mails).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (BigInteger, Column, DateTime, ForeignKey, Index, Integer, String,
                        Table, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, utcnow

ENVELOPE_STATUSES = ("ingested", "duplicate", "skipped", "rejected", "quarantined")

envelope_documents = Table(
    "envelope_documents", Base.metadata,
    Column("envelope_id", Integer, ForeignKey("mail_envelopes.id", ondelete="CASCADE"),
           primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"),
           primary_key=True),
    Index("ix_envelope_documents_document", "document_id"),
)


class MailboxState(Base):
    __tablename__ = "mailbox_state"

    mailbox: Mapped[str] = mapped_column(String(64), primary_key=True)
    folder: Mapped[str] = mapped_column(String(255), default="INBOX")
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MailEnvelope(Base):
    __tablename__ = "mail_envelopes"
    __table_args__ = (UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_envelope_uid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(64))
    uid: Mapped[int] = mapped_column(BigInteger)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    sender: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(Text)
    date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    expected_doc_type: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "mailbox": self.mailbox, "uid": self.uid,
                "uidvalidity": self.uidvalidity, "message_id": self.message_id,
                "sender": self.sender, "subject": self.subject,
                "date": self.date.isoformat() if self.date else None,
                "status": self.status, "reason": self.reason,
                "created_at": self.created_at.isoformat() if self.created_at else None}
