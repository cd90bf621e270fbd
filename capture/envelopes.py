"""Turn one raw e-mail (bytes) into an `Envelope`: who sent it, when, its Message-ID, its
body, and the documents it carries.  Pure: no database, no network.

What is a document:

* attachments (PDF, TIFF, PNG/JPEG, XML, HTML, ... and also unsupported types such as
  ``.docx`` or ``.exe``: those are *handed over* and `capture.ingest.ingest_bytes` records
  them as ``failed`` documents with the reason, so nothing a customer sent disappears);
* files inside ZIP archives, with limits (files, total uncompressed size, ratio, nesting):
  declared sizes are checked first and every entry is stream-read under a running cap, so
  a lying header cannot make us inflate unbounded.  A refused archive is listed in
  ``rejected`` with the reason;
* attached e-mails (``message/rfc822`` or ``.eml``), recursed up to ``limits.eml_depth``;
* the HTML (or text) body, named ``body.html`` / ``body.txt``, when the mail has no PDF or
  image document and the body looks like the document itself (a remittance advice as a
  table with amounts / invoice numbers, or wording like "remittance advice",
  "Zahlungsavis", "avis de paiement").

Not documents (listed in ``skipped`` with a reason): inline logos and signature images
(see `capture.config.InlineImages`), S/MIME or PGP signatures, calendar invites, vCards.
A mail over ``limits.max_mail_mb`` is rejected as a whole (``Envelope.reject_reason``).
"""
from __future__ import annotations

import email
import email.policy
import html as _html
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage, Message
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import PurePath

from capture import filetypes
from capture.config import Limits

NOISE_TYPES = {"application/pgp-signature": "PGP signature",
               "application/pkcs7-signature": "S/MIME signature",
               "application/x-pkcs7-signature": "S/MIME signature",
               "text/calendar": "calendar invite", "text/vcard": "vCard",
               "text/x-vcard": "vCard", "application/ics": "calendar invite"}
REMITTANCE_WORDS = re.compile(
    r"remittance|payment\s+advice|zahlungsavis|avis\s+de\s+paiement|zahlungsavise|"
    r"payment\s+notification|avviso\s+di\s+pagamento", re.I)
AMOUNT = re.compile(r"\d{1,3}(?:[.,\s'’]\d{3})*[.,]\d{2}\b")
INVOICE_REF = re.compile(r"\b(?:invoice|inv|rechnung|re|facture|fact)\.?\s*(?:no|nr|n°|#|number|"
                         r"nummer|num)?\.?\s*[:#]?\s*[A-Z0-9][A-Z0-9\-/]{2,}", re.I)
_READ_CHUNK = 64 * 1024


@dataclass
class Part:
    """A file handed to ingest."""
    name: str
    data: bytes
    mime: str
    origin: str          # attachment | zip:<name> | eml:<name> | body


@dataclass
class Skipped:
    """A part that is not a document (or was refused), with the reason."""
    name: str
    reason: str
    refused: bool = False   # True: bad input (zip bomb, too deep); False: just not a document


@dataclass
class Envelope:
    sender: str | None = None
    sender_name: str | None = None
    subject: str | None = None
    date: datetime | None = None
    message_id: str | None = None
    body_text: str | None = None
    body_html: str | None = None
    size: int = 0
    documents: list[Part] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    reject_reason: str | None = None

    @property
    def refused(self) -> list[Skipped]:
        return [s for s in self.skipped if s.refused]

    def summary_reason(self) -> str | None:
        """One line explaining refused / skipped parts (for the envelope row)."""
        items = self.refused or self.skipped
        if not items:
            return None
        return "; ".join(f"{s.name}: {s.reason}" for s in items)[:2000]


def normalize_message_id(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().split()[0] if value.strip() else ""
    v = v.strip("<>").strip()
    return f"<{v}>"[:998] if v else None


def _decode(part: Message) -> str | None:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        return content if isinstance(content, str) else None
    except (LookupError, UnicodeDecodeError, AssertionError, KeyError):
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            return payload.decode("utf-8", "replace")
        return None


def _payload(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _is_inline_image(part: Message, name: str, size: int, limits: Limits) -> str | None:
    ctype = part.get_content_type()
    if not ctype.startswith("image/") and filetypes.sniff(_payload(part)[:16]) not in (
            filetypes.PNG, filetypes.JPEG):
        return None
    inline = (part.get_content_disposition() == "inline") or part.get("Content-ID") is not None
    rules = limits.inline_images
    named = any(re.search(p, PurePath(name).stem, re.I) for p in rules.name_patterns)
    small = size < rules.min_bytes
    if inline and (small or named):
        return f"inline image ({size} bytes{', logo-like name' if named else ''}), not a document"
    if named and small:
        return f"small logo-like image ({size} bytes), not a document"
    return None


def _part_name(part: Message, index: int) -> str:
    name = part.get_filename()
    if name:
        return name
    ext = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg",
           "image/tiff": ".tif", "message/rfc822": ".eml", "application/zip": ".zip",
           "text/html": ".html", "text/plain": ".txt", "application/xml": ".xml",
           "text/xml": ".xml"}.get(part.get_content_type(), ".bin")
    return f"part{index}{ext}"


class _Walker:
    def __init__(self, env: Envelope, limits: Limits) -> None:
        self.env = env
        self.limits = limits
        self.index = 0

    def add_file(self, name: str, data: bytes, origin: str, zip_depth: int, eml_depth: int) -> None:
        """A file from an attachment or an archive: recurse into ZIP / e-mail, else hand over."""
        if not data:
            self.env.skipped.append(Skipped(name, "empty attachment (0 bytes)"))
            return
        ftype = filetypes.sniff(data, name)
        suffix = PurePath(name).suffix.lower()
        is_zip = ftype is filetypes.ZIP or data.startswith(b"PK\x03\x04")
        if is_zip and suffix not in (".docx", ".xlsx", ".odt", ".pptx"):
            self.open_zip(name, data, zip_depth + 1, eml_depth)
        elif ftype is filetypes.EML or suffix == ".eml":
            self.open_eml(name, data, eml_depth + 1)
        else:
            self.env.documents.append(Part(name, data, ftype.mime, origin))

    def open_eml(self, name: str, data: bytes, depth: int) -> None:
        if depth > self.limits.eml_depth:
            self.env.skipped.append(Skipped(name, f"attached e-mail nested deeper than "
                                                  f"{self.limits.eml_depth} levels", True))
            return
        msg = email.message_from_bytes(data, policy=email.policy.default)
        self.walk(msg, f"eml:{name}", depth, top=False)

    def open_zip(self, name: str, data: bytes, depth: int, eml_depth: int) -> None:
        lim = self.limits.zip
        if depth > lim.max_depth:
            self.env.skipped.append(Skipped(name, f"ZIP nested deeper than {lim.max_depth} "
                                                  "levels; refused", True))
            return
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            infos = [i for i in zf.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            self.env.skipped.append(Skipped(name, f"corrupt ZIP archive ({exc}); refused", True))
            return
        problem = _zip_declared_problem(infos, lim.max_files, lim.max_total_bytes, lim.max_ratio)
        if problem:
            self.env.skipped.append(Skipped(name, problem + "; refused as a possible ZIP bomb",
                                            True))
            return
        files: list[tuple[str, bytes]] = []
        total = 0
        try:
            for info in infos:
                if info.flag_bits & 0x1:
                    raise _ZipRefused(f"{info.filename} is encrypted")
                buf = bytearray()
                with zf.open(info) as fh:
                    while chunk := fh.read(_READ_CHUNK):
                        buf += chunk
                        total += len(chunk)
                        if len(buf) > info.file_size:
                            raise _ZipRefused(f"{info.filename} inflates beyond its declared "
                                              f"size {info.file_size}")
                        if total > lim.max_total_bytes:
                            raise _ZipRefused(f"uncompressed content exceeds "
                                              f"{lim.max_total_mb:g} MB")
                files.append((info.filename, bytes(buf)))
        except _ZipRefused as exc:
            self.env.skipped.append(Skipped(name, f"{exc}; refused as a possible ZIP bomb", True))
            return
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            self.env.skipped.append(Skipped(name, f"unreadable ZIP archive ({exc}); refused", True))
            return
        for fname, fdata in files:
            base = PurePath(fname.replace("\\", "/")).name
            if base.startswith("._") or "__MACOSX" in fname:
                continue
            self.add_file(base, fdata, f"zip:{name}", depth, eml_depth)

    def walk(self, msg: Message, origin: str, eml_depth: int, top: bool) -> None:
        body_html: str | None = None
        body_text: str | None = None
        first_doc = len(self.env.documents)
        for part in _leaves(msg):
            self.index += 1
            ctype = part.get_content_type()
            disp = part.get_content_disposition()
            if ctype == "message/rfc822" or (part.get_filename() or "").lower().endswith(".eml"):
                inner = part.get_payload()
                name = _part_name(part, self.index)
                if isinstance(inner, list) and inner:
                    if eml_depth + 1 > self.limits.eml_depth:
                        self.env.skipped.append(Skipped(name, "attached e-mail nested deeper "
                                                f"than {self.limits.eml_depth} levels", True))
                    else:
                        self.walk(inner[0], f"eml:{name}", eml_depth + 1, top=False)
                else:
                    self.add_file(name, _payload(part), origin, 0, eml_depth)
                continue
            is_body = (disp != "attachment" and part.get_filename() is None
                       and ctype in ("text/plain", "text/html"))
            if is_body:
                text = _decode(part)
                if ctype == "text/html" and body_html is None:
                    body_html = text
                elif ctype == "text/plain" and body_text is None:
                    body_text = text
                continue
            name = _part_name(part, self.index)
            data = _payload(part)
            if ctype in NOISE_TYPES:
                self.env.skipped.append(Skipped(name, f"{NOISE_TYPES[ctype]}, not a document"))
                continue
            inline = _is_inline_image(part, name, len(data), self.limits)
            if inline:
                self.env.skipped.append(Skipped(name, inline))
                continue
            self.add_file(name, data, origin if origin != "top" else "attachment", 0, eml_depth)
        if top:
            self.env.body_html, self.env.body_text = body_html, body_text
        elif not _has_doc(self.env.documents[first_doc:]) and body_is_document(body_html,
                                                                               body_text):
            stem = origin.split(":", 1)[-1].rsplit(".", 1)[0]
            self.env.documents.append(_body_part(body_html, body_text, f"{stem}-", origin))


def _leaves(msg: Message) -> list[Message]:
    """Leaf parts in order; an attached message/rfc822 is a leaf (recursed separately)."""
    if msg.get_content_type() == "message/rfc822" or not msg.is_multipart():
        return [msg]
    out: list[Message] = []
    payload = msg.get_payload()
    for sub in payload if isinstance(payload, list) else []:
        out += _leaves(sub)
    return out


def _has_doc(parts: list[Part]) -> bool:
    return any(p.mime == "application/pdf" or p.mime.startswith("image/") for p in parts)


def _body_part(html: str | None, text: str | None, prefix: str, origin: str) -> Part:
    if html:
        return Part(f"{prefix}body.html", html.encode("utf-8"), "text/html", origin)
    return Part(f"{prefix}body.txt", (text or "").encode("utf-8"), "text/plain", origin)


class _ZipRefused(Exception):
    pass


def _zip_declared_problem(infos: list[zipfile.ZipInfo], max_files: int, max_total: int,
                          max_ratio: float) -> str | None:
    if len(infos) > max_files:
        return f"ZIP holds {len(infos)} files, over the limit of {max_files}"
    declared = sum(i.file_size for i in infos)
    if declared > max_total:
        return f"ZIP declares {declared / 1e6:.1f} MB uncompressed, over {max_total / 1e6:g} MB"
    for i in infos:
        if i.file_size > 1024 and i.file_size > max_ratio * max(i.compress_size, 1):
            return (f"{i.filename} compresses {i.file_size / max(i.compress_size, 1):.0f}:1, "
                    f"over the ratio limit {max_ratio:g}:1")
    return None


def html_to_text(html: str) -> str:
    text = re.sub(r"(?is)<(script|style).*?</\1>", " ", html)
    text = re.sub(r"(?s)<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", _html.unescape(text)).strip()


def body_is_document(html: str | None, text: str | None) -> bool:
    """Does the body itself look like the document (e.g. a remittance advice table)?"""
    plain = html_to_text(html) if html else (text or "")
    if REMITTANCE_WORDS.search(plain or ""):
        return True
    if html and re.search(r"(?i)<table", html):
        tables = " ".join(html_to_text(t) for t in re.findall(r"(?is)<table.*?</table>", html))
        return len(AMOUNT.findall(tables)) >= 2 and INVOICE_REF.search(tables) is not None
    return False


def parse_envelope(raw: bytes, limits: Limits, *, size: int | None = None) -> Envelope:
    """Parse `raw` into an `Envelope` with its documents (see the module docstring)."""
    env = Envelope(size=size if size is not None else len(raw))
    if env.size > limits.max_mail_bytes:
        env.reject_reason = (f"mail is {env.size / 1e6:.1f} MB, over the "
                             f"{limits.max_mail_mb:g} MB limit")
        return env
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    read_headers(msg, env)
    try:
        _Walker(env, limits).walk(msg, "top", 0, top=True)
    except Exception as exc:  # malformed MIME beyond what the parser tolerates
        env.reject_reason = f"unparseable e-mail: {type(exc).__name__}: {exc}"[:500]
        return env
    if not _has_doc(env.documents) and body_is_document(env.body_html, env.body_text):
        env.documents.append(_body_part(env.body_html, env.body_text, "", "body"))
    return env


def read_headers(msg: Message | EmailMessage, env: Envelope) -> None:
    def header(name: str) -> str | None:
        try:
            v = msg.get(name)
            return str(v) if v is not None else None
        except (ValueError, TypeError, IndexError):
            raw = msg.get_all(name) if hasattr(msg, "get_all") else None
            return str(raw[0]) if raw else None

    name, addr = parseaddr(header("From") or "")
    env.sender = addr.lower() or None
    env.sender_name = name or None
    env.subject = (header("Subject") or "")[:998] or None
    env.message_id = normalize_message_id(header("Message-ID"))
    try:
        d = header("Date")
        env.date = parsedate_to_datetime(d) if d else None
    except (TypeError, ValueError, IndexError):
        env.date = None
