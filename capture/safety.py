"""Cheap guards run on every file before it is ingested (folders, uploads, mail).

* `check_image` refuses decompression bombs: it reads only the image header (Pillow's
  `Image.open` is lazy) and compares the declared pixel count with a limit -> `TooLarge`.
  The module also sets Pillow's global `Image.MAX_IMAGE_PIXELS` to the same limit so
  that any later full decode is protected as well.
* `check_pdf` refuses garbage or truncated PDFs (`CorruptDocument`) and PDFs that need a
  password to open (`EncryptedDocument`; owner-password-only PDFs are fine), and returns
  warnings for active content: JavaScript, /Launch actions and /OpenAction actions.  Those
  documents are still processed; the warning is recorded on the document.
* `inspect_file` sniffs the type and runs the right check.
* `ingest_guarded` = `inspect_file` + `capture.ingest.ingest_bytes`: a refused file is
  still stored, as a `failed` document carrying the reason, and warnings become audit
  events - so nothing a user sent silently disappears.

Everything here reads headers and object dictionaries only - no page is rendered.
"""
from __future__ import annotations

import io
import re
import warnings as _warnings
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from capture import filetypes
from capture.ingest import IngestResult, ingest_bytes, safe_name
from core import documents
from core.errors import CorruptDocument, EncryptedDocument, InputError, TooLarge
from core.logs import get_logger
from core.states import State
from core.store import FileStore

log = get_logger(__name__)

#: Largest image we decode: 100 megapixels (an A3 page at 600 dpi is ~70 MP).
MAX_IMAGE_PIXELS = 100_000_000
#: TIFF frames looked at by `check_image` (their headers only).
MAX_IMAGE_FRAMES = 2000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

_ACTIVE_RAW = re.compile(rb"/(JavaScript|JS|Launch|OpenAction)\b")
_TAIL = 2048


def check_image(data: bytes, *, max_pixels: int = MAX_IMAGE_PIXELS) -> list[str]:
    """Refuse images whose header declares more than `max_pixels` pixels (any frame).
    Raises `TooLarge` or `CorruptDocument`; returns warnings (currently none)."""
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                frames = int(getattr(img, "n_frames", 1) or 1)
                for i in range(min(frames, MAX_IMAGE_FRAMES)):
                    if i:
                        img.seek(i)   # TIFF: reads the next IFD only, no pixel data
                    _check_dims(img.size, max_pixels, i, frames)
    except Image.DecompressionBombError as exc:   # Pillow's own limit (2x ours) hit first
        m = re.search(r"\((\d+) pixels\)", str(exc))
        declared = f"{int(m.group(1)) / 1e6:,.0f} MP" if m else "too many pixels"
        raise TooLarge(f"image declares {declared}, over the {max_pixels / 1e6:,.0f} MP limit "
                       "(possible decompression bomb)") from None
    except TooLarge:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CorruptDocument(f"image cannot be read: {exc}") from None
    return []


def _check_dims(size: tuple[int, int], max_pixels: int, frame: int, frames: int) -> None:
    w, h = size
    if w <= 0 or h <= 0:
        raise CorruptDocument(f"image declares an empty size {w} x {h}")
    if w * h > max_pixels:
        where = f" (page {frame + 1} of {frames})" if frames > 1 else ""
        raise TooLarge(f"image declares {w} x {h} pixels{where} = {w * h / 1e6:,.0f} MP, over "
                       f"the {max_pixels / 1e6:,.0f} MP limit (possible decompression bomb)")


def check_pdf(data: bytes) -> list[str]:
    """Open the PDF's structure (no rendering).  Raises `CorruptDocument` (garbage,
    truncated, no pages) or `EncryptedDocument` (a password is needed to open it);
    returns warnings about active content."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if b"%PDF-" not in data[:1024]:
        raise CorruptDocument("not a PDF: the %PDF- header is missing")
    if b"%%EOF" not in data[-_TAIL:]:
        raise CorruptDocument("the PDF is truncated (no %%EOF marker at its end); "
                              "was the file copied completely?")
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                _decrypt(reader)
            n_pages = len(reader.pages)
    except (EncryptedDocument, CorruptDocument):
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError) as exc:
        raise CorruptDocument(f"the PDF structure cannot be read: {exc}") from None
    if n_pages == 0:
        raise CorruptDocument("the PDF has no pages")
    return _active_content(reader, data)


def _decrypt(reader: Any) -> None:
    from pypdf.errors import DependencyError

    try:
        ok = reader.decrypt("")
    except DependencyError as exc:
        raise EncryptedDocument(f"the PDF is encrypted with an unsupported method: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - pypdf raises assorted errors on bad crypt dicts
        raise CorruptDocument(f"the PDF's encryption dictionary cannot be read: {exc}") from None
    if not ok:
        raise EncryptedDocument("the PDF is protected by a password needed to open it; "
                                "ask the sender for an unprotected copy")


def _active_content(reader: Any, data: bytes) -> list[str]:
    found: set[str] = set()
    try:
        root = reader.trailer["/Root"].get_object()
        _scan_actions(root.get("/OpenAction"), found, opening=True)
        _scan_actions(root.get("/AA"), found)
        names = root.get("/Names")
        if names is not None and "/JavaScript" in names.get_object():
            found.add("javascript")
        for page in reader.pages:
            _scan_actions(page.get("/AA"), found)
            for annot in page.get("/Annots") or []:
                a = annot.get_object()
                _scan_actions(a.get("/A"), found)
                _scan_actions(a.get("/AA"), found)
    except Exception as exc:  # noqa: BLE001 - a structural oddity must not hide the raw scan
        log.debug("pdf_action_scan_failed", error=str(exc))
    for m in _ACTIVE_RAW.finditer(data):   # uncompressed objects (also catches odd nesting)
        token = m.group(1)
        if token in (b"JavaScript", b"JS"):
            found.add("javascript")
        elif token == b"Launch":
            found.add("launch")
    out = []
    if "javascript" in found:
        out.append("pdf_javascript: the PDF contains JavaScript (never executed by o2c)")
    if "launch" in found:
        out.append("pdf_launch_action: the PDF contains a /Launch action that would start "
                   "a program")
    if "open_action" in found:
        out.append("pdf_open_action: the PDF runs an /OpenAction when opened")
    return out


def _scan_actions(obj: Any, found: set[str], *, opening: bool = False, depth: int = 0) -> None:
    if obj is None or depth > 8:
        return
    obj = obj.get_object() if hasattr(obj, "get_object") else obj
    if isinstance(obj, list):   # an /OpenAction destination array is harmless
        return
    if not hasattr(obj, "get"):
        return
    kind = obj.get("/S")
    if kind is not None:
        if opening:
            found.add("open_action")
        if kind == "/JavaScript" or "/JS" in obj:
            found.add("javascript")
        elif kind == "/Launch":
            found.add("launch")
        _scan_actions(obj.get("/Next"), found, depth=depth + 1)
        return
    for key in list(obj.keys()):    # an /AA dictionary: trigger -> action
        if key != "/Type":
            _scan_actions(obj.get(key), found, opening=opening, depth=depth + 1)


def inspect_file(data: bytes, name: str = "", *, max_pixels: int = MAX_IMAGE_PIXELS) -> list[str]:
    """Run the check that fits the sniffed type; other types pass unchecked.  Raises an
    `InputError` subclass when the file must be refused; returns warnings otherwise."""
    ftype = filetypes.sniff(data, name)
    if ftype is filetypes.PDF:
        return check_pdf(data)
    if ftype in (filetypes.PNG, filetypes.JPEG, filetypes.TIFF):
        return check_image(data, max_pixels=max_pixels)
    return []


def ingest_guarded(session: Session, store: FileStore, data: bytes, name: str, *,
                   source: str, sender: str | None = None, max_bytes: int | None = None,
                   actor: str = "system:capture") -> tuple[IngestResult, list[str]]:
    """`inspect_file`, then `ingest_bytes`.  A refused file becomes a `failed` document
    with the refusal's kind and message; warnings are recorded as ``warning`` audit events.
    Returns the ingest result (state updated) and the warnings.  `EmptyFile` propagates."""
    problem: InputError | None = None
    found: list[str] = []
    if data:
        try:
            found = inspect_file(data, name)
        except InputError as exc:
            problem = exc
    result = ingest_bytes(session, store, data, name, source=source, sender=sender,
                          max_bytes=max_bytes, actor=actor)
    if result.duplicate or result.state != State.RECEIVED.value:
        return result, found
    doc = documents.get(session, result.document_id)
    if problem is not None:
        msg = f"{safe_name(name)}: {problem.message}"
        documents.transition(session, doc, State.FAILED, actor=actor, detail=msg,
                             error_kind=problem.kind, error_message=msg)
        log.warning("refused", doc=doc.id, file=result.name, kind=problem.kind,
                    reason=problem.message)
        return IngestResult(doc.id, False, doc.state, result.name), found
    for w in found:
        documents.audit(session, doc, actor, "warning", detail=w)
        log.warning("file_warning", doc=doc.id, file=result.name, warning=w)
    return result, found
