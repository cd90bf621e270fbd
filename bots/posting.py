"""The posting stage: deliver an approved document.

Every approved document is exported for the ERP (`validation.export`: normalised JSON and
CSV named by document id, so a retry rewrites rather than adds, plus the optional
webhook).  When the document's partner keys its documents into a web portal
(``posting_target``, from master data), the portal recipe runs too (`bots.engine`), exactly
once, and its confirmation number and proof become the posting result."""
from __future__ import annotations

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


def post_document(settings: Settings, doc: dict[str, Any]) -> PostingResult:
    from validation.export import export_document

    res = export_document(settings, doc)
    export = PostingResult(True, f"export:{res['json']}",
                           f"exported to {res['json']} and {res['csv']}; "
                           f"webhook {res['webhook']['status']}", reference=res["reference"])
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
