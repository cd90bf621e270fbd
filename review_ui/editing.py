"""What a reviewer does to a document: edit fields and lines, accept values, approve,
reject, and (supervisors) retry failed documents.

Every save carries the version the reviewer's page was built from; the version is bumped
with one conditional UPDATE, so of two concurrent saves exactly one wins and the other
gets `Conflict` (409).  Each changed value becomes an ``edit`` `AuditEvent` (field, old,
new, who, when) and a `Correction` row (training feedback); after the edits the document
is re-validated (state unchanged) and re-indexed."""
from __future__ import annotations

import copy
import re
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from core import documents
from core.errors import InputError, O2CError
from core.models import Document, utcnow
from core.states import State
from review_ui import locks
from review_ui.auth import Auth
from review_ui.index import index_document
from review_ui.models import Correction

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
DOC_TYPES = ("invoice", "credit_note", "purchase_order", "remittance", "other")
LINE_COLUMNS = ("description", "quantity", "unit_price", "line_total", "tax_rate", "sku")
MAX_VALUE = 1000
MAX_LINES = 500


class Conflict(O2CError):
    kind = "conflict"


def _bbox(v: Any) -> list[float] | None:
    if v is None:
        return None
    if (not isinstance(v, list) or len(v) != 4
            or not all(isinstance(x, (int, float)) and -0.01 <= x <= 1.01 for x in v)):
        raise InputError("bbox must be [x0, y0, x1, y1] page fractions")
    return [float(x) for x in v]


def _value(v: Any) -> str | None:
    if v is None:
        return None
    if not isinstance(v, (str, int, float)):
        raise InputError("a value must be text")
    s = str(v).strip()
    if len(s) > MAX_VALUE:
        raise InputError(f"a value may have at most {MAX_VALUE} characters")
    return s or None


def _name(v: Any) -> str:
    if not isinstance(v, str) or not NAME_RE.match(v):
        raise InputError("field names are lower-case letters, digits and _")
    return v


def _index(v: Any, n: int, *, allow_end: bool = False) -> int:
    if not isinstance(v, int) or not (0 <= v < n + (1 if allow_end else 0)):
        raise InputError(f"line index {v!r} out of range")
    return v


def open_for_edit(session: Session, doc_id: int, auth: Auth, version: Any) -> Document:
    doc = documents.get(session, doc_id)
    if doc.state != State.NEEDS_REVIEW.value:
        raise Conflict(f"document {doc_id} is {doc.state}: it is no longer open for review")
    locks.require(session, doc_id, auth)
    if not isinstance(version, int):
        raise InputError("version missing")
    if doc.version != version:
        raise Conflict(f"document {doc_id} was changed by someone else since you opened it "
                       f"(version {version}, now {doc.version}): reload the page to see "
                       "the changes; yours were not saved")
    return doc


def _bump(session: Session, doc: Document, version: int) -> None:
    res = session.execute(update(Document).where(Document.id == doc.id,
                                                 Document.version == version)
                          .values(version=version + 1, updated_at=utcnow())
                          .execution_options(synchronize_session=False))
    if res.rowcount != 1:
        raise Conflict(f"document {doc.id} was saved by someone else a moment ago: reload")
    session.refresh(doc)


def _cell(value: str | None, page: Any, bbox: list[float] | None, old: dict[str, Any],
          source: str) -> dict[str, Any]:
    return {"value": value, "confidence": 1.0, "page": page if isinstance(page, int) else old.get("page"),
            "bbox": bbox if bbox is not None else old.get("bbox"), "source": source}


def _cell_at(fields: dict[str, Any], lines: list[dict[str, Any]], name: str) -> dict[str, Any]:
    m = re.match(r"^lines\[(\d+)\]\.(\w+)$", name)
    if m:
        i = int(m.group(1)) - 1
        return (lines[i].get(m.group(2)) or {}) if 0 <= i < len(lines) else {}
    return fields.get(name) or {}


def apply_edits(session: Session, doc_id: int, auth: Auth, version: Any,
                ops: list[dict[str, Any]]) -> dict[str, Any]:
    """Apply `ops` (see `review.js`) and return the new state for the page."""
    if not isinstance(ops, list) or not ops or len(ops) > 200:
        raise InputError("ops: a list of 1 to 200 edits")
    doc = open_for_edit(session, doc_id, auth, version)
    ex = copy.deepcopy(doc.extraction or {})
    fields: dict[str, Any] = ex.setdefault("fields", {})
    lines: list[dict[str, Any]] = ex.setdefault("lines", [])
    changes: list[tuple[str, Any, Any, dict[str, Any], str]] = []   # name, old, new, old cell, how
    for op in ops:
        if not isinstance(op, dict):
            raise InputError("each op is an object")
        kind = op.get("op")
        how = "picked on page" if op.get("bbox") is not None else "typed"
        if kind in ("set", "accept"):
            name = _name(op.get("field"))
            old = dict(fields.get(name) or {})
            new = _value(op.get("value")) if kind == "set" else old.get("value")
            fields[name] = _cell(new, op.get("page"), _bbox(op.get("bbox")), old, "reviewer")
            if new != old.get("value"):
                changes.append((name, old.get("value"), new, old, how))
            elif kind == "accept" or old.get("confidence") != 1.0:
                changes.append((name, new, new, old, "accepted"))
        elif kind == "set_line":
            i = _index(op.get("index"), len(lines))
            col = op.get("column")
            if col not in LINE_COLUMNS:
                raise InputError(f"line columns: {', '.join(LINE_COLUMNS)}")
            old = dict(lines[i].get(col) or {})
            new = _value(op.get("value"))
            lines[i][col] = _cell(new, op.get("page"), _bbox(op.get("bbox")), old, "reviewer")
            if new != old.get("value"):
                changes.append((f"lines[{i + 1}].{col}", old.get("value"), new, old, how))
        elif kind in ("add_line", "split_line", "remove_line"):
            if kind == "add_line":
                i = _index(op.get("index", len(lines)), len(lines), allow_end=True)
                if len(lines) >= MAX_LINES:
                    raise InputError(f"at most {MAX_LINES} lines")
                lines.insert(i, {"description": _cell(None, None, None, {}, "reviewer")})
                changes.append((f"lines[{i + 1}]", None, "added", {}, "line added"))
            elif kind == "split_line":
                i = _index(op.get("index"), len(lines))
                desc = dict(lines[i].get("description") or {})
                lines.insert(i + 1, {"description": _cell(desc.get("value"), desc.get("page"),
                                                          None, desc, "reviewer")})
                changes.append((f"lines[{i + 2}]", None, f"split from line {i + 1}", {}, "line split"))
            else:
                i = _index(op.get("index"), len(lines))
                gone = lines.pop(i)
                desc = (gone.get("description") or {}).get("value")
                changes.append((f"lines[{i + 1}]", desc or "line", None, {}, "line removed"))
        elif kind == "set_doc_type":
            if op.get("value") not in DOC_TYPES:
                raise InputError(f"document types: {', '.join(DOC_TYPES)}")
            changes.append(("doc_type", ex.get("doc_type"), op["value"], {}, "typed"))
            ex["doc_type"] = op["value"]
        else:
            raise InputError(f"unknown edit {kind!r}")
    _bump(session, doc, version)
    for name, old_v, new_v, old_cell, how in changes:
        action = "accept" if how == "accepted" else "edit"
        documents.audit(session, doc, auth.actor, action, before={"field": name, "value": old_v},
                        after={"field": name, "value": new_v}, detail=how)
        if how in ("typed", "picked on page") and name != "doc_type":
            cell = _cell_at(fields, lines, name)
            session.add(Correction(
                document_id=doc.id, doc_type=ex.get("doc_type"), field=name, old_value=old_v,
                new_value=new_v, old_confidence=old_cell.get("confidence"),
                source=old_cell.get("source"), page=cell.get("page"), bbox=cell.get("bbox"),
                reviewer=auth.username, at=utcnow()))
    doc.extraction = ex
    if ex.get("doc_type") != doc.doc_type:
        doc.doc_type = ex.get("doc_type")
    return revalidate(session, doc)


def revalidate(session: Session, doc: Document) -> dict[str, Any]:
    """Run the checks on the current extraction (no state change); store and return them."""
    from validation.checks import validate_document

    with session.no_autoflush:
        result = validate_document(session, doc)
    doc.validation = result.to_dict()
    index_document(session, doc)
    return state_of(doc)


def state_of(doc: Document) -> dict[str, Any]:
    from validation.routing import decide

    validation = doc.validation or {}
    ex = doc.extraction or {}
    return {"version": doc.version, "state": doc.state, "checks": validation.get("checks", []),
            "failing": decide(validation).reasons, "fields": ex.get("fields", {}),
            "lines": ex.get("lines", []), "doc_type": ex.get("doc_type")}


def approve(session: Session, doc_id: int, auth: Auth, version: Any, confirm: bool) -> dict[str, Any]:
    from validation.routing import decide

    doc = open_for_edit(session, doc_id, auth, version)
    failing = decide(doc.validation or {}).reasons
    if failing and not confirm:
        return {"ok": False, "needs_confirmation": True, "failing": failing}
    detail = "approved by reviewer"
    if failing:
        detail += " despite: " + "; ".join(r["reason"] for r in failing)
    documents.transition(session, doc, State.APPROVED, actor=auth.actor, detail=detail[:2000])
    locks.release(session, doc_id, auth)
    index_document(session, doc)
    return {"ok": True, "state": doc.state}


def reject(session: Session, doc_id: int, auth: Auth, version: Any, reason: Any) -> dict[str, Any]:
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("say why the document is rejected")
    doc = open_for_edit(session, doc_id, auth, version)
    documents.transition(session, doc, State.REJECTED, actor=auth.actor,
                         detail=f"rejected: {reason.strip()[:500]}")
    locks.release(session, doc_id, auth)
    index_document(session, doc)
    return {"ok": True, "state": doc.state}


def retry(session: Session, doc_id: int, auth: Auth) -> str:
    """failed -> received (re-extract); post_failed -> post again.  Returns the stage to
    enqueue; the caller enqueues after commit."""
    doc = documents.get(session, doc_id)
    if doc.state == State.FAILED.value:
        documents.transition(session, doc, State.RECEIVED, actor=auth.actor,
                             detail="retry requested", error_kind=None, error_message=None)
        index_document(session, doc)
        return "received"
    if doc.state == State.POST_FAILED.value:
        documents.audit(session, doc, auth.actor, "retry", detail="posting retry requested")
        return "post_failed"
    raise Conflict(f"document {doc_id} is {doc.state}: only failed or post_failed documents "
                   "can be retried")


def enqueue_after(state: str, doc_id: int) -> bool:
    """Hand the document to the queue; if the broker is down the sweeper picks it up."""
    try:
        from queues import actors
        if state == "post_failed":
            actors.enqueue("post", doc_id)
            return True
        return actors.enqueue_for_state(state, doc_id)
    except Exception:
        return False
