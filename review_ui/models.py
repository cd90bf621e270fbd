"""Review UI tables: reviewer accounts and sessions, login failures (rate limiting),
document locks, reviewer corrections (training feedback) and the denormalised
`review_index` (+ `review_index_reasons`) the queue, search and dashboard read instead of
the documents' extraction JSON.  Created by migration ``0004_review``."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String,
                        Text)
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, utcnow

ROLES = ("reviewer", "supervisor", "admin")


def aware(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: treat them as UTC."""
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


class User(Base):
    __tablename__ = "review_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserSession(Base):
    __tablename__ = "review_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)   # sha256 of the cookie
    user_id: Mapped[int] = mapped_column(ForeignKey("review_users.id", ondelete="CASCADE"),
                                         index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))
    queue_filters: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class LoginFailure(Base):
    __tablename__ = "review_login_failures"
    __table_args__ = (Index("ix_review_login_failures_key", "username", "ip", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DocumentLock(Base):
    __tablename__ = "review_locks"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64))
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Correction(Base):
    """One reviewer correction: training feedback for the extractors."""

    __tablename__ = "review_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    doc_type: Mapped[str | None] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(128))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    old_confidence: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(32))
    page: Mapped[int | None] = mapped_column(Integer)
    bbox: Mapped[list[Any] | None] = mapped_column(JSON)
    reviewer: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewIndex(Base):
    """One row per document with what lists filter, sort and search on."""

    __tablename__ = "review_index"
    __table_args__ = (
        Index("ix_review_index_state_created", "state", "created_at"),
        Index("ix_review_index_state_due", "state", "due_date"),
        Index("ix_review_index_state_priority", "state", "priority"),
        Index("ix_review_index_partner", "partner_norm"),
        Index("ix_review_index_number", "number"),
        Index("ix_review_index_state_type", "state", "doc_type"),
        Index("ix_review_index_state_source", "state", "source"),
    )

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    doc_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    doc_type: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(512))
    number: Mapped[str | None] = mapped_column(String(128))
    partner: Mapped[str | None] = mapped_column(String(256))
    partner_norm: Mapped[str | None] = mapped_column(String(256))
    total: Mapped[str | None] = mapped_column(String(32))
    currency: Mapped[str | None] = mapped_column(String(8))
    due_date: Mapped[str | None] = mapped_column(String(10))       # ISO date
    priority: Mapped[int] = mapped_column(Integer, default=0)       # higher = more urgent
    min_confidence: Mapped[float | None] = mapped_column(Float)
    reason_codes: Mapped[str] = mapped_column(String(512), default="")
    reason_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    doc_updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ReviewReason(Base):
    """Reason codes of a document (with its state, so queue counts need no join)."""

    __tablename__ = "review_index_reasons"
    __table_args__ = (Index("ix_review_index_reasons_code", "code", "document_id"),
                      Index("ix_review_index_reasons_state", "state", "code"))

    document_id: Mapped[int] = mapped_column(
        ForeignKey("review_index.document_id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(20))


class ReviewSearch(Base):
    """Full-text haystack per document (file name + extracted values), kept apart so the
    index rows the queue scans stay small."""

    __tablename__ = "review_search"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("review_index.document_id", ondelete="CASCADE"), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
