import pytest

from capture.filetypes import sniff
from capture.ingest import ingest_bytes, read_path, safe_name
from core import documents
from core.errors import EmptyFile, TooLarge, UnreadablePath

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_same_bytes_are_stored_once_and_the_second_arrival_is_recorded(rt):
    with rt.db.session() as s:
        a = ingest_bytes(s, rt.store, PDF, "a.pdf", source="cli")
    with rt.db.session() as s:
        b = ingest_bytes(s, rt.store, PDF, "copy.pdf", source="mail", sender="x@example.com")
    assert not a.duplicate and b.duplicate and a.document_id == b.document_id
    with rt.db.session() as s:
        doc = documents.get(s, a.document_id)
        actions = [e.action for e in doc.events]
        assert actions == ["received", "duplicate"]
        assert "mail" in doc.events[1].detail and "copy.pdf" in doc.events[1].detail
        assert doc.state == "received" and doc.mime_type == "application/pdf"


def test_unsupported_type_is_kept_as_a_failed_document(rt):
    with rt.db.session() as s:
        r = ingest_bytes(s, rt.store, b"MZ\x90\x00binary", "tool.exe", source="upload")
    assert r.state == "failed"
    with rt.db.session() as s:
        doc = documents.get(s, r.document_id)
        assert doc.error_kind == "unsupported_type" and "tool.exe" in doc.error_message


def test_docx_is_unsupported(rt):
    with rt.db.session() as s:
        r = ingest_bytes(s, rt.store, b"PK\x03\x04rest-of-zip", "order.docx", source="upload")
    assert r.state == "failed"


def test_empty_file_is_refused(rt):
    with rt.db.session() as s, pytest.raises(EmptyFile):
        ingest_bytes(s, rt.store, b"", "empty.pdf", source="cli")


def test_oversized_file_fails_visibly(rt):
    with rt.db.session() as s:
        r = ingest_bytes(s, rt.store, PDF + b"x" * 100, "big.pdf", source="cli", max_bytes=50)
    assert r.state == "failed"


@pytest.mark.parametrize("raw,clean", [("../../etc/passwd", "passwd"), ("a\\b\\c.pdf", "c.pdf"),
                                       ("Rechnung Müller €.pdf", "Rechnung Müller €.pdf"),
                                       ("bad\x00name.pdf", "badname.pdf"), ("", "unnamed")])
def test_file_names_lose_path_parts_but_keep_unicode(raw, clean):
    assert safe_name(raw) == clean


def test_read_path_errors(tmp_path):
    with pytest.raises(UnreadablePath):
        read_path(tmp_path / "missing.pdf", 100)
    with pytest.raises(UnreadablePath):
        read_path(tmp_path, 100)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"x" * 101)
    with pytest.raises(TooLarge):
        read_path(big, 100)


@pytest.mark.parametrize("data,name,mime", [
    (PDF, "x", "application/pdf"), (b"\x89PNG\r\n\x1a\nxxxx", "x", "image/png"),
    (b"\xff\xd8\xff\xe0", "x.jpg", "image/jpeg"), (b"II*\x00xxxx", "scan.tif", "image/tiff"),
    (b"<?xml version='1.0'?><rsm:CrossIndustryInvoice xmlns:rsm='u'/>", "x.xml", "application/xml"),
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "b.html", "text/html"),
    (b"Payment advice\nInvoice 1 100.00\n", "body.txt", "text/plain"),
    (b"From: a@b.c\nSubject: x\n\nhello", "m.eml", "message/rfc822"),
    (b"\x00\x01\x02\x03", "x.bin", "application/octet-stream"),
])
def test_sniff(data, name, mime):
    assert sniff(data, name).mime == mime
