"""The denormalised review index: one `ReviewIndex` row (+ reason rows) per document, so
that queue, search and dashboard pages never load extraction JSON.

The index is kept current two ways: the UI re-indexes a document itself after every edit
or decision, and `sync` (called before list pages) re-indexes documents the pipeline
changed - those whose version differs from the indexed one, looking only at documents
updated in the last `SYNC_WINDOW` (plus everything when the index is empty)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, text
from sqlalchemy.orm import Session

from core.models import Document
from review_ui.models import DocumentLock, ReviewIndex, ReviewReason, ReviewSearch, aware

SYNC_WINDOW = timedelta(minutes=10)
PARTNER_FIELDS = {"invoice": ("seller_name", "buyer_name"), "credit_note": ("seller_name", "buyer_name"),
                  "purchase_order": ("buyer_name", "seller_name"),
                  "remittance": ("payer_name", "seller_name", "buyer_name")}
NUMBER_FIELDS = ("invoice_number", "po_number", "payment_reference", "order_number")
SORTS = ("priority", "age", "due")
PAGE_SIZE = 50


def _val(fields: dict[str, Any], name: str) -> str | None:
    f = fields.get(name)
    v = f.get("value") if isinstance(f, dict) else None
    return None if v in (None, "") else str(v)


def row_values(doc: Document) -> dict[str, Any]:
    """What the index stores for `doc` (pure: no session needed)."""
    ex = doc.extraction or {}
    fields: dict[str, Any] = ex.get("fields") or {}
    doc_type = ex.get("doc_type") or doc.doc_type
    partner = next((v for n in PARTNER_FIELDS.get(doc_type or "", ("seller_name", "buyer_name",
                                                                    "payer_name"))
                    if (v := _val(fields, n))), None)
    number = next((v for n in NUMBER_FIELDS if (v := _val(fields, n))), None)
    due = _val(fields, "due_date")
    confs = [float(f.get("confidence") or 0.0) for f in fields.values()
             if isinstance(f, dict) and f.get("value") not in (None, "")]
    min_conf = min(confs) if confs else None
    reasons = [r for r in (doc.review_reasons or []) if isinstance(r, dict)]
    codes = sorted({str(r.get("code", ""))[:64] for r in reasons if r.get("code")})
    texts = [doc.original_name] + [str(f.get("value")) for f in fields.values()
                                   if isinstance(f, dict) and f.get("value") not in (None, "")]
    for line in ex.get("lines") or []:
        d = (line.get("description") or {}).get("value") if isinstance(line, dict) else None
        if d:
            texts.append(str(d))
    return dict(
        doc_version=doc.version, state=doc.state, doc_type=doc_type, source=doc.source,
        file_name=doc.original_name[:512], number=number[:128] if number else None,
        partner=partner[:256] if partner else None,
        partner_norm=partner.casefold()[:256] if partner else None,
        total=(_val(fields, "total_gross") or _val(fields, "payment_amount") or "")[:32] or None,
        currency=(_val(fields, "currency") or "")[:8] or None,
        due_date=due[:10] if due and len(due) >= 10 else None,
        priority=10 * len(reasons) + (round(10 * (1 - min_conf)) if min_conf is not None else 10),
        min_confidence=min_conf, reason_codes="|" + "|".join(codes) + "|" if codes else "",
        reason_text="; ".join(str(r.get("reason", "")) for r in reasons)[:2000],
        search_text=" ".join(texts).casefold()[:8000],
        created_at=doc.created_at, doc_updated_at=doc.updated_at,
    )


def index_document(session: Session, doc: Document) -> None:
    values = row_values(doc)
    text = values.pop("search_text")
    row = session.get(ReviewIndex, doc.id)
    if row is None:
        session.add(ReviewIndex(document_id=doc.id, **values))
        session.flush()
        session.add(ReviewSearch(document_id=doc.id, text=text))
    else:
        for k, v in values.items():
            setattr(row, k, v)
        hay = session.get(ReviewSearch, doc.id)
        if hay is None:
            session.add(ReviewSearch(document_id=doc.id, text=text))
        else:
            hay.text = text
    session.execute(delete(ReviewReason).where(ReviewReason.document_id == doc.id))
    for code in filter(None, values["reason_codes"].split("|")):
        session.add(ReviewReason(document_id=doc.id, code=code, state=doc.state))
    session.flush()


def sync(session: Session, *, full: bool = False) -> int:
    """Re-index documents whose version changed since they were indexed.  Returns how many."""
    since = None if full else session.scalar(select(func.max(ReviewIndex.doc_updated_at)))
    q = (select(Document.id).outerjoin(ReviewIndex, ReviewIndex.document_id == Document.id)
         .where(or_(ReviewIndex.document_id.is_(None), ReviewIndex.doc_version != Document.version)))
    if since is not None:
        q = q.where(Document.updated_at >= aware(since) - SYNC_WINDOW)
    ids = list(session.scalars(q))
    if len(ids) > 500 and session.scalar(select(func.count()).select_from(ReviewIndex)) == 0:
        return _bulk_build(session, ids)
    for i in range(0, len(ids), 200):
        for doc in session.scalars(select(Document).where(Document.id.in_(ids[i:i + 200]))):
            index_document(session, doc)
    return len(ids)


def _bulk_build(session: Session, ids: list[int]) -> int:
    """First build of an empty index: plain bulk INSERTs, much faster than one by one."""
    from sqlalchemy import insert

    for i in range(0, len(ids), 500):
        rows, hay, reasons = [], [], []
        for doc in session.scalars(select(Document).where(Document.id.in_(ids[i:i + 500]))):
            v = row_values(doc)
            hay.append({"document_id": doc.id, "text": v.pop("search_text")})
            rows.append({"document_id": doc.id, **v})
            reasons += [{"document_id": doc.id, "code": c, "state": doc.state}
                        for c in filter(None, v["reason_codes"].split("|"))]
        session.execute(insert(ReviewIndex), rows)
        session.execute(insert(ReviewSearch), hay)
        if reasons:
            session.execute(insert(ReviewReason), reasons)
        session.expunge_all()
    if session.get_bind().dialect.name == "postgresql":
        # fresh planner statistics: without them PostgreSQL picks nested loops over the
        # just-filled tables and filtered queue pages take seconds until autovacuum runs
        session.flush()
        session.execute(text(f"ANALYZE {ReviewIndex.__tablename__}, "
                             f"{ReviewReason.__tablename__}, {ReviewSearch.__tablename__}"))
    return len(ids)


@dataclass
class QueueFilter:
    doc_type: str = ""
    reason: str = ""
    partner: str = ""
    source: str = ""
    age_days: int = 0          # only documents received at least this many days ago
    q: str = ""                # number or partner
    sort: str = "priority"
    page: int = 1
    state: str = "needs_review"

    @classmethod
    def from_params(cls, p: dict[str, Any]) -> QueueFilter:
        def num(k: str, default: int) -> int:
            try:
                return max(int(p.get(k) or default), 0)
            except (TypeError, ValueError):
                return default
        sort = str(p.get("sort") or "priority")
        return cls(doc_type=str(p.get("type") or "")[:32], reason=str(p.get("reason") or "")[:64],
                   partner=str(p.get("partner") or "")[:128], source=str(p.get("source") or "")[:16],
                   age_days=num("age", 0), q=str(p.get("q") or "")[:128],
                   sort=sort if sort in SORTS else "priority", page=max(num("page", 1), 1))

    def params(self, **override: Any) -> dict[str, Any]:
        d = {"type": self.doc_type, "reason": self.reason, "partner": self.partner,
             "source": self.source, "age": self.age_days or "", "q": self.q, "sort": self.sort,
             "page": self.page}
        d.update(override)
        return {k: v for k, v in d.items() if v not in ("", None, 0)}


def _conditions(f: QueueFilter, *, with_reason: bool = True) -> list[Any]:
    c: list[Any] = [ReviewIndex.state == f.state]
    if f.doc_type:
        c.append(ReviewIndex.doc_type == f.doc_type)
    if f.source:
        c.append(ReviewIndex.source == f.source)
    if f.partner:
        c.append(ReviewIndex.partner_norm.like(_like(f.partner.casefold()) + "%", escape="\\"))
    if f.age_days:
        c.append(ReviewIndex.created_at <= datetime.now(timezone.utc) - timedelta(days=f.age_days))
    if f.q:
        term = f.q.strip()
        c.append(or_(ReviewIndex.number == term,
                     ReviewIndex.partner_norm.like("%" + _like(term.casefold()) + "%", escape="\\")))
    if with_reason and f.reason:
        c.append(ReviewIndex.document_id.in_(
            select(ReviewReason.document_id).where(ReviewReason.code == f.reason)))
    return c


def _like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _order(f: QueueFilter) -> list[Any]:
    if f.sort == "due":
        return [ReviewIndex.due_date.is_(None), ReviewIndex.due_date, ReviewIndex.created_at,
                ReviewIndex.document_id]
    if f.sort == "age":
        return [ReviewIndex.created_at, ReviewIndex.document_id]
    return [ReviewIndex.priority.desc(), ReviewIndex.created_at, ReviewIndex.document_id]


@dataclass
class QueuePage:
    rows: list[dict[str, Any]]
    total: int
    reason_counts: list[tuple[str, int]]
    types: list[tuple[str, int]]
    sources: list[tuple[str, int]]
    pages: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def queue_page(session: Session, f: QueueFilter, *, page_size: int = PAGE_SIZE) -> QueuePage:
    cond = _conditions(f)
    total = session.scalar(select(func.count()).select_from(ReviewIndex).where(and_(*cond))) or 0
    now = datetime.now(timezone.utc)
    q = (select(ReviewIndex, DocumentLock.username, DocumentLock.expires_at)
         .outerjoin(DocumentLock, DocumentLock.document_id == ReviewIndex.document_id)
         .where(and_(*cond)).order_by(*_order(f))
         .limit(page_size).offset((f.page - 1) * page_size))
    rows = []
    for r, lock_user, lock_exp in session.execute(q):
        age = now - (aware(r.created_at) or now)
        rows.append({"id": r.document_id, "doc_type": r.doc_type, "source": r.source,
                     "file": r.file_name, "number": r.number, "partner": r.partner,
                     "total": r.total, "currency": r.currency, "due_date": r.due_date,
                     "priority": r.priority, "reasons": r.reason_text,
                     "codes": [c for c in r.reason_codes.split("|") if c],
                     "age_days": age.days, "age_hours": int(age.total_seconds() // 3600),
                     "locked_by": lock_user if lock_exp and aware(lock_exp) > now else None})
    rc = _conditions(f, with_reason=False)
    rq = select(ReviewReason.code, func.count()).where(ReviewReason.state == f.state)
    if len(rc) > 1:      # other filters than the state: join the index rows
        rq = rq.join(ReviewIndex, ReviewIndex.document_id == ReviewReason.document_id).where(*rc)
    reason_counts = [(c, n) for c, n in session.execute(
        rq.group_by(ReviewReason.code).order_by(func.count().desc()))]
    base = ReviewIndex.state == f.state
    types = [(t or "", n) for t, n in session.execute(
        select(ReviewIndex.doc_type, func.count()).where(base).group_by(ReviewIndex.doc_type))]
    sources = [(t, n) for t, n in session.execute(
        select(ReviewIndex.source, func.count()).where(base).group_by(ReviewIndex.source))]
    return QueuePage(rows, total, reason_counts, types, sources,
                     pages=max(1, -(-total // page_size)))


def ordered_ids(session: Session, f: QueueFilter) -> list[int]:
    q = select(ReviewIndex.document_id).where(and_(*_conditions(f))).order_by(*_order(f))
    return list(session.scalars(q))


def search(session: Session, text: str, partner: str, state: str, page: int,
           page_size: int = PAGE_SIZE) -> tuple[list[ReviewIndex], int]:
    cond: list[Any] = []
    if text.strip():
        for term in text.casefold().split()[:5]:
            cond.append(ReviewIndex.document_id.in_(select(ReviewSearch.document_id).where(
                ReviewSearch.text.like("%" + _like(term) + "%", escape="\\"))))
    if partner.strip():
        cond.append(ReviewIndex.partner_norm.like("%" + _like(partner.casefold().strip()) + "%",
                                                  escape="\\"))
    if state:
        cond.append(ReviewIndex.state == state)
    where = and_(*cond) if cond else True
    total = session.scalar(select(func.count()).select_from(ReviewIndex).where(where)) or 0
    rows = list(session.scalars(select(ReviewIndex).where(where)
                                .order_by(ReviewIndex.document_id.desc())
                                .limit(page_size).offset((max(page, 1) - 1) * page_size)))
    return rows, total


_last_sync: dict[int, float] = {}


def maybe_sync(session: Session, min_interval_s: float = 1.0) -> None:
    """`sync` at most once per `min_interval_s` per engine (list pages call this)."""
    key = id(session.get_bind())
    now = time.monotonic()
    if now - _last_sync.get(key, 0.0) >= min_interval_s:
        sync(session)
        _last_sync[key] = now
