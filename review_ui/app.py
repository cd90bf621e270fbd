"""FastAPI application factory.  `create_app(runtime)` - the runtime (settings, database,
store) is built at the entry point and passed in."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, File, Header, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select, text

from core import documents
from core.errors import DocumentNotFound, InputError, O2CError
from core.models import Document
from core.runtime import Runtime

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def create_app(rt: Runtime) -> FastAPI:
    app = FastAPI(title="o2c-capture", version="0.1.0")
    settings = rt.settings

    def require_token(authorization: str | None = Header(default=None)) -> None:
        if settings.api_token and authorization != f"Bearer {settings.api_token}":
            raise HTTPException(401, "missing or wrong API token (Authorization: Bearer ...)")

    @app.exception_handler(O2CError)
    async def _o2c_error(_req: Request, exc: O2CError) -> JSONResponse:
        status = 404 if isinstance(exc, DocumentNotFound) else 400 if isinstance(exc, InputError) else 503
        return JSONResponse({"error": exc.kind, "message": exc.message}, status_code=status)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        try:
            with rt.db.session() as s:
                s.execute(text("SELECT 1"))
                counts = dict(s.execute(select(Document.state, func.count()).group_by(Document.state)).all())
            return JSONResponse({"status": "ok", "database": "ok", "broker": settings.broker_kind,
                                 "documents": counts})
        except O2CError as exc:
            return JSONResponse({"status": "error", "database": exc.message}, status_code=503)

    @app.get("/api/documents")
    def list_documents(state: str | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        with rt.db.session() as s:
            q = select(Document).order_by(Document.id.desc()).limit(min(limit, 1000)).offset(offset)
            if state:
                q = q.where(Document.state == state)
            return {"documents": [d.summary() for d in s.scalars(q)]}

    @app.get("/api/documents/{doc_id}")
    def get_document(doc_id: int) -> dict[str, Any]:
        with rt.db.session() as s:
            doc = documents.get(s, doc_id)
            out = doc.summary()
            out.update(extraction=doc.extraction, validation=doc.validation, posting=doc.posting,
                       events=[e.as_dict() for e in doc.events])
            return out

    @app.get("/api/documents/{doc_id}/file")
    def get_file(doc_id: int) -> FileResponse:
        with rt.db.session() as s:
            doc = documents.get(s, doc_id)
            path = rt.store.open_path(doc.stored_path)
            return FileResponse(path, media_type=doc.mime_type, filename=doc.original_name)

    @app.post("/api/documents", dependencies=[Depends(require_token)], status_code=201)
    async def upload(file: UploadFile = File(...), sender: str | None = None) -> dict[str, Any]:
        from capture.ingest import ingest_bytes
        from queues import actors

        limit = int(settings.max_file_mb * 1e6)
        data = await file.read(limit + 1)
        if len(data) > limit:
            raise HTTPException(413, f"file over the {settings.max_file_mb:.0f} MB limit")
        with rt.db.session() as s:
            res = ingest_bytes(s, rt.store, data, file.filename or "upload", source="upload",
                               sender=sender, max_bytes=limit)
        if not res.duplicate:
            try:
                actors.enqueue_for_state(res.state, res.document_id)
            except Exception:  # broker down: the sweeper will enqueue it
                pass
        return {"id": res.document_id, "duplicate": res.duplicate, "state": res.state}

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request, state: str | None = None) -> HTMLResponse:
        with rt.db.session() as s:
            q = select(Document).order_by(Document.id.desc()).limit(200)
            if state:
                q = q.where(Document.state == state)
            docs = [d.summary() for d in s.scalars(q)]
            counts = dict(s.execute(select(Document.state, func.count()).group_by(Document.state)).all())
        return TEMPLATES.TemplateResponse(request, "index.html",
                                          {"docs": docs, "counts": counts, "state": state})

    @app.get("/documents/{doc_id}", response_class=HTMLResponse)
    def document_page(request: Request, doc_id: int) -> HTMLResponse:
        with rt.db.session() as s:
            doc = documents.get(s, doc_id)
            ctx = {"doc": doc.summary(), "extraction": doc.extraction or {},
                   "validation": doc.validation or {}, "events": [e.as_dict() for e in doc.events]}
        return TEMPLATES.TemplateResponse(request, "document.html", ctx)

    return app
