"""The posting stage: deliver an approved document.

Every approved document is written as a normalised JSON export (one file per document,
written atomically, named by document id so a retry rewrites the same file rather than
adding a second one).  When the document's partner keys its documents into a web portal
(``posting_target``, from master data), the portal recipe runs too (`bots.engine`), exactly
once, and its confirmation number and proof become the posting result."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from typing import Any

from core.errors import TransientError
from core.settings import Settings


@dataclass
class PostingResult:
    ok: bool
    target: str
    detail: str
    reference: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def export_record(doc: dict[str, Any]) -> dict[str, Any]:
    ext = doc.get("extraction") or {}
    return {
        "document_id": doc["id"], "doc_type": doc.get("doc_type"), "sha256": doc.get("sha256"),
        "file": doc.get("original_name"), "sender": doc.get("sender"), "source": doc.get("source"),
        "fields": {k: v.get("value") for k, v in ext.get("fields", {}).items()},
        "lines": [{k: v.get("value") for k, v in line.items()} for line in ext.get("lines", [])],
    }


def post_document(settings: Settings, doc: dict[str, Any]) -> PostingResult:
    out_dir = settings.exports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{doc.get('doc_type') or 'document'}-{doc['id']:08d}.json"
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".export-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(export_record(doc), fh, indent=2, ensure_ascii=False)
    os.replace(tmp, target)
    export = PostingResult(True, f"export:{target}", f"exported to {target}", reference=target.name)
    from bots.engine import post_to_portal

    try:
        portal = post_to_portal(settings, doc)
    except TransientError as exc:  # the engine's retry budget is spent: a human decides
        return PostingResult(False, "portal", f"portal unavailable after retries: {exc.message}; "
                             f"{export.detail}", reference=None)
    if portal is None:
        return export
    portal.detail = f"{portal.detail}; {export.detail}"
    return portal
