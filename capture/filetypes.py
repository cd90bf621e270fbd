"""What kind of file is this?  Sniffed from the bytes (never trusted from the name alone),
with a registry of the types the pipeline can read."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class FileType:
    mime: str
    ext: str
    readable: bool   # can extraction read it?


PDF = FileType("application/pdf", ".pdf", True)
PNG = FileType("image/png", ".png", True)
JPEG = FileType("image/jpeg", ".jpg", True)
TIFF = FileType("image/tiff", ".tif", True)
XML = FileType("application/xml", ".xml", True)
HTML = FileType("text/html", ".html", True)
TEXT = FileType("text/plain", ".txt", True)
EML = FileType("message/rfc822", ".eml", False)
ZIP = FileType("application/zip", ".zip", False)
UNKNOWN = FileType("application/octet-stream", "", False)

_MAGIC: list[tuple[bytes, FileType]] = [
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"PK\x03\x04", ZIP),
]
_NAMED_EXTS = {".docx": ZIP, ".xlsx": ZIP, ".exe": UNKNOWN, ".dll": UNKNOWN}


def sniff(data: bytes, name: str = "") -> FileType:
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return PDF
    for magic, ft in _MAGIC:
        if head.startswith(magic):
            if ft is ZIP and PurePath(name).suffix.lower() in (".docx", ".xlsx", ".odt"):
                return UNKNOWN
            return ft
    if head.startswith(b"MZ"):
        return UNKNOWN
    try:
        text = head.decode("utf-8").lstrip("\ufeff \t\r\n")
    except UnicodeDecodeError:
        try:
            text = head.decode("latin-1").lstrip()
            if any(ord(c) < 9 for c in text):
                return UNKNOWN
        except UnicodeDecodeError:  # pragma: no cover
            return UNKNOWN
    low = text[:512].lower()
    if low.startswith("<?xml") or low.startswith("<") and ":" in low.split(">", 1)[0]:
        return HTML if "<html" in low else XML
    if low.startswith("<!doctype html") or low.startswith("<html") or "<table" in low:
        return HTML
    headers = ("from:", "received:", "return-path:", "message-id:", "mime-version:", "subject:")
    if any(low.startswith(h) for h in headers) and "\n" in text:
        return EML
    if "\x00" in text:
        return UNKNOWN
    return TEXT if PurePath(name).suffix.lower() in ("", ".txt", ".text", ".csv") else UNKNOWN
