"""The one way in: every channel (CLI, upload API, folder watcher, mailbox) calls
`ingest_bytes`, which stores the file once and creates its `Document` in `received` -
or records a duplicate event on the document that already holds the same bytes.

Unsupported or oversized files are still stored and recorded, as a document in `failed`
with the reason, so nothing a user sent silently disappears.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePath

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from capture import filetypes
from core import documents
from core.errors import EmptyFile, TooLarge, UnreadablePath
from core.logs import get_logger
from core.models import Document, utcnow
from core.states import State
from core.store import FileStore, sha256_bytes

log = get_logger(__name__)


@dataclass(frozen=True)
class IngestResult:
    document_id: int
    duplicate: bool
    state: str
    name: str


def safe_name(name: str) -> str:
    """The file name a user gave, without any path parts or control characters."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(c for c in base if c.isprintable() and c not in "/\\\x00").strip()
    return (base or "unnamed")[:255]


def read_path(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    p = Path(path)
    try:
        if p.is_dir():
            raise UnreadablePath(f"{p} is a folder, not a file")
        size = p.stat().st_size
        if size > max_bytes:
            raise TooLarge(f"{p.name} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
        return p.read_bytes()
    except FileNotFoundError:
        raise UnreadablePath(f"{p} does not exist") from None
    except PermissionError:
        raise UnreadablePath(f"{p} is not readable (permission denied)") from None
    except IsADirectoryError:
        raise UnreadablePath(f"{p} is a folder, not a file") from None


def ingest_bytes(session: Session, store: FileStore, data: bytes, name: str, *,
                 source: str, sender: str | None = None, max_bytes: int | None = None,
                 actor: str = "system:capture") -> IngestResult:
    name = safe_name(name)
    if not data:
        raise EmptyFile(f"{name} is empty (0 bytes); nothing to ingest")
    ftype = filetypes.sniff(data, name)
    existing = documents.find_by_sha(session, sha256_bytes(data))
    if existing is not None:
        return _duplicate(session, existing, name, source, sender, actor)
    stored = store.put(data, ftype.ext or PurePath(name).suffix)
    doc = Document(source=source, sender=sender, original_name=name, sha256=stored.sha256,
                   stored_path=stored.path, mime_type=ftype.mime, size_bytes=stored.size,
                   state=State.RECEIVED.value, created_at=utcnow(), updated_at=utcnow())
    try:
        with session.begin_nested():
            session.add(doc)
            session.flush()
    except IntegrityError:  # a concurrent ingest of the same bytes won the race
        existing = documents.find_by_sha(session, stored.sha256)
        assert existing is not None
        return _duplicate(session, existing, name, source, sender, actor)
    documents.audit(session, doc, actor, "received", after={"state": doc.state},
                    detail=f"{source} {name} from {sender or '-'} ({stored.size} bytes, {ftype.mime})")
    problem = None
    if not ftype.readable:
        problem = ("unsupported_type",
                   f"{name}: unsupported file type ({ftype.mime}); o2c reads PDF, TIFF, PNG, "
                   "JPEG, e-invoice XML, HTML and text")
    elif max_bytes is not None and len(data) > max_bytes:
        problem = ("too_large", f"{name} is {len(data) / 1e6:.1f} MB, over the "
                   f"{max_bytes / 1e6:.0f} MB limit")
    if problem:
        documents.transition(session, doc, State.FAILED, actor=actor, detail=problem[1],
                             error_kind=problem[0], error_message=problem[1])
    log.info("ingested", doc=doc.id, source=source, file=name, state=doc.state, mime=ftype.mime)
    return IngestResult(doc.id, False, doc.state, name)


def _duplicate(session: Session, doc: Document, name: str, source: str, sender: str | None,
               actor: str) -> IngestResult:
    documents.audit(session, doc, actor, "duplicate",
                    detail=f"same file arrived again via {source}: {name} from {sender or '-'}")
    log.info("duplicate", doc=doc.id, source=source, file=name)
    return IngestResult(doc.id, True, doc.state, name)
