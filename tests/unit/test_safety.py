"""capture.safety: decompression bombs, corrupt/encrypted PDFs, active PDF content.

The builders here (`bomb_png`, `encrypted_pdf`, ...) are reused by the folder tests."""
from __future__ import annotations

import io
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from capture import safety
from core import documents
from core.errors import CorruptDocument, EncryptedDocument, TooLarge

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "invoice2data"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header declaring `width` x `height` grey pixels, with a tiny IDAT."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
            + _chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _chunk(b"IEND", b""))


def small_png() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (40, 30), 255).save(buf, "PNG")
    return buf.getvalue()


def invoice_pdf(name: str = "AzureInterior.pdf") -> bytes:
    return (CORPUS / name).read_bytes()


def _writer_from(data: bytes) -> PdfWriter:
    w = PdfWriter()
    for page in PdfReader(io.BytesIO(data)).pages:
        w.add_page(page)
    return w


def _bytes(w: PdfWriter) -> bytes:
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def encrypted_pdf(user: str = "secret", owner: str | None = None) -> bytes:
    w = _writer_from(invoice_pdf())
    w.encrypt(user_password=user, owner_password=owner, algorithm="AES-128")
    return _bytes(w)


def javascript_pdf() -> bytes:
    w = _writer_from(invoice_pdf())
    w.add_open_action(JavaScript("app.alert('hello');"))
    return _bytes(w)


def launch_pdf() -> bytes:
    w = _writer_from(invoice_pdf())
    action = DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                               NameObject("/F"): TextStringObject("calc.exe")})
    w._root_object[NameObject("/OpenAction")] = w._add_object(action)
    return _bytes(w)


def truncated_pdf() -> bytes:
    data = invoice_pdf()
    return data[: len(data) // 2]


# ---- images ----------------------------------------------------------------------------
def test_bomb_png_refused_from_header_only():
    t = time.monotonic()
    with pytest.raises(TooLarge, match="decompression bomb"):
        safety.check_image(bomb_png())
    assert time.monotonic() - t < 5.0          # from the header, never decoded


def test_small_png_passes():
    assert safety.check_image(small_png()) == []


def test_limit_is_configurable():
    with pytest.raises(TooLarge):
        safety.check_image(small_png(), max_pixels=100)


def test_garbage_image_is_corrupt():
    with pytest.raises(CorruptDocument):
        safety.check_image(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)


def test_multipage_tiff_with_a_bomb_frame_is_refused():
    frames = [Image.new("L", (10, 10), 255), Image.new("L", (20, 20), 0)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    assert safety.check_image(buf.getvalue()) == []
    with pytest.raises(TooLarge, match="page 2 of 2"):
        safety.check_image(buf.getvalue(), max_pixels=399)


def test_pillow_global_limit_is_set():
    assert Image.MAX_IMAGE_PIXELS == safety.MAX_IMAGE_PIXELS


# ---- PDFs ------------------------------------------------------------------------------
def test_good_pdf_has_no_warnings():
    assert safety.check_pdf(invoice_pdf()) == []


def test_truncated_pdf_is_corrupt():
    with pytest.raises(CorruptDocument, match="truncated"):
        safety.check_pdf(truncated_pdf())


def test_garbage_pdf_is_corrupt():
    with pytest.raises(CorruptDocument):
        safety.check_pdf(b"%PDF-1.7\n" + b"\x00garbage" * 100 + b"\n%%EOF\n")


def test_user_password_pdf_is_encrypted():
    with pytest.raises(EncryptedDocument, match="password"):
        safety.check_pdf(encrypted_pdf("secret"))


def test_owner_password_only_pdf_is_fine():
    assert safety.check_pdf(encrypted_pdf(user="", owner="owner")) == []


def test_javascript_is_a_warning():
    warns = safety.check_pdf(javascript_pdf())
    assert any(w.startswith("pdf_javascript") for w in warns)


def test_launch_open_action_is_a_warning():
    warns = safety.check_pdf(launch_pdf())
    kinds = {w.split(":")[0] for w in warns}
    assert {"pdf_launch_action", "pdf_open_action"} <= kinds


# ---- dispatch and guarded ingest -------------------------------------------------------
def test_inspect_file_dispatches_by_sniffed_type():
    assert safety.inspect_file(b"hello", "a.txt") == []
    with pytest.raises(TooLarge):
        safety.inspect_file(bomb_png(), "innocent.jpg")
    with pytest.raises(EncryptedDocument):
        safety.inspect_file(encrypted_pdf(), "x.pdf")


def test_ingest_guarded_records_refusals_and_warnings(rt):
    with rt.db.session() as s:
        bad, _ = safety.ingest_guarded(s, rt.store, bomb_png(), "scan.png", source="upload")
        ok, warns = safety.ingest_guarded(s, rt.store, javascript_pdf(), "js.pdf", source="upload")
    assert bad.state == "failed" and not bad.duplicate
    assert ok.state == "received" and warns
    with rt.db.session() as s:
        doc = documents.get(s, bad.document_id)
        assert doc.error_kind == "too_large" and "decompression bomb" in doc.error_message
        js = documents.get(s, ok.document_id)
        assert [e.detail for e in js.events if e.action == "warning"] == warns


def test_ingest_guarded_duplicate_keeps_first_document(rt):
    with rt.db.session() as s:
        first, _ = safety.ingest_guarded(s, rt.store, bomb_png(), "a.png", source="folder")
        again, _ = safety.ingest_guarded(s, rt.store, bomb_png(), "b.png", source="folder")
    assert again.duplicate and again.document_id == first.document_id
    assert again.state == "failed"
