"""The REST API (kept from the first version): list and show documents, download the
original file by id, upload.  GET routes accept a signed-in session or the API token;
uploads need the API token (or a session plus its CSRF token)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse
from sqlalchemy import select

from core import documents
from core.models import Document
from review_ui import auth as A
from review_ui.web import get_rt

router = APIRouter(prefix="/api")
READ = A.require_role("reviewer", allow_token=True)


@router.get("/documents")
def list_documents(request: Request, state: str | None = None, limit: int = 100, offset: int = 0,
                   auth: A.Auth = Depends(READ)) -> dict[str, Any]:
    with get_rt(request).db.session() as s:
        q = (select(Document).order_by(Document.id.desc())
             .limit(max(1, min(limit, 1000))).offset(max(offset, 0)))
        if state:
            q = q.where(Document.state == state)
        return {"documents": [d.summary() for d in s.scalars(q)]}


@router.get("/documents/{doc_id}")
def get_document(request: Request, doc_id: int, auth: A.Auth = Depends(READ)) -> dict[str, Any]:
    with get_rt(request).db.session() as s:
        doc = documents.get(s, doc_id)
        out = doc.summary()
        out.update(extraction=doc.extraction, validation=doc.validation, posting=doc.posting,
                   events=[e.as_dict() for e in doc.events])
        return out


@router.get("/documents/{doc_id}/file")
def get_file(request: Request, doc_id: int, auth: A.Auth = Depends(READ)) -> FileResponse:
    rt = get_rt(request)
    with rt.db.session() as s:
        doc = documents.get(s, doc_id)
        path = rt.store.open_path(doc.stored_path)      # path from the database, never the client
        return FileResponse(path, media_type=doc.mime_type, filename=doc.original_name,
                            headers={"content-security-policy": "sandbox; default-src 'none'"})


@router.post("/documents", status_code=201)
async def upload(request: Request, file: UploadFile = File(...), sender: str | None = None,
                 auth: A.Auth = Depends(READ)) -> dict[str, Any]:
    from capture.ingest import ingest_bytes
    from queues import actors

    rt = get_rt(request)
    limit = int(rt.settings.max_file_mb * 1e6)
    size = int(request.headers.get("content-length") or 0)
    if size > limit + 1_000_000:
        raise HTTPException(413, f"file over the {rt.settings.max_file_mb:.0f} MB limit")
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"file over the {rt.settings.max_file_mb:.0f} MB limit")
    with rt.db.session() as s:
        res = ingest_bytes(s, rt.store, data, file.filename or "upload", source="upload",
                           sender=sender, max_bytes=limit)
    if not res.duplicate:
        try:
            actors.enqueue_for_state(res.state, res.document_id)
        except Exception:  # broker down: the sweeper will enqueue it
            pass
    return {"id": res.document_id, "duplicate": res.duplicate, "state": res.state}
