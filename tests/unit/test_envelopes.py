"""Unit tests for capture.envelopes (mail -> documents) and capture.config."""
from __future__ import annotations

import io
import zipfile

import pytest

from capture.bench import make_mail
from capture.config import Limits, load_capture_config, parse_capture_config
from capture.envelopes import body_is_document, parse_envelope
from core.errors import ConfigError

PDF = b"%PDF-1.4\n" + b"x" * 2000 + b"\n%%EOF\n"
PNG_SMALL = b"\x89PNG\r\n\x1a\n" + b"\x00" * 500
REMITTANCE_HTML = """<html><body><p>Dear supplier, we have paid the following:</p>
<table><tr><th>Invoice No</th><th>Amount</th></tr>
<tr><td>INV-2024-001</td><td>1.234,56</td></tr>
<tr><td>INV-2024-002</td><td>789,00</td></tr></table></body></html>"""


def _zip(files: dict[str, bytes], level: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", level) as zf:
        for n, d in files.items():
            zf.writestr(n, d)
    return buf.getvalue()


def test_headers_and_pdf_attachment():
    raw = make_mail(sender="Alice <AP@Customer.Example>", subject="PO 4711",
                    message_id="<abc@x>", attachments=[("po.pdf", PDF, "application/pdf")])
    env = parse_envelope(raw, Limits())
    assert env.sender == "ap@customer.example"
    assert env.subject == "PO 4711"
    assert env.message_id == "<abc@x>"
    assert env.date is not None
    assert [(p.name, p.mime) for p in env.documents] == [("po.pdf", "application/pdf")]
    assert env.body_text and "attached" in env.body_text


def test_no_attachments_no_documents():
    env = parse_envelope(make_mail(text="Hi, call me back."), Limits())
    assert env.documents == [] and env.reject_reason is None


def test_remittance_html_body_is_document():
    env = parse_envelope(make_mail(html=REMITTANCE_HTML, text="see html"), Limits())
    assert [p.name for p in env.documents] == ["body.html"]
    assert b"INV-2024-001" in env.documents[0].data


def test_remittance_words_text_body():
    env = parse_envelope(make_mail(text="Zahlungsavis: wir haben 100,00 EUR überwiesen"),
                         Limits())
    assert [p.name for p in env.documents] == ["body.txt"]


def test_body_not_document_when_pdf_attached():
    raw = make_mail(html=REMITTANCE_HTML, attachments=[("advice.pdf", PDF, "application/pdf")])
    env = parse_envelope(raw, Limits())
    assert [p.name for p in env.documents] == ["advice.pdf"]


def test_body_heuristics():
    assert body_is_document(REMITTANCE_HTML, None)
    assert not body_is_document("<table><tr><td>Name</td><td>Bob</td></tr></table>", None)
    assert body_is_document(None, "Avis de paiement ci-dessous")
    assert not body_is_document(None, "Lunch tomorrow?")


def test_inline_logo_skipped_big_inline_scan_kept():
    big = b"\x89PNG\r\n\x1a\n" + b"\x01" * 60_000
    raw = make_mail(html="<p>hi <img src='cid:logo1'></p>",
                    inline_images=[("logo.png", PNG_SMALL, "logo1"), ("scan.png", big, "scan1")])
    env = parse_envelope(raw, Limits())
    assert [p.name for p in env.documents] == ["scan.png"]
    assert any(s.name == "logo.png" and "inline" in s.reason for s in env.skipped)


def test_image001_inline_skipped_even_when_large():
    big = b"\xff\xd8\xff" + b"\x01" * 60_000
    raw = make_mail(html="<p>x</p>", inline_images=[("image001.jpg", big, "i1")])
    assert parse_envelope(raw, Limits()).documents == []


def test_unsupported_attachment_handed_over():
    raw = make_mail(attachments=[("tool.exe", b"MZ\x90\x00" * 10, "application/octet-stream")])
    env = parse_envelope(raw, Limits())
    assert [p.name for p in env.documents] == ["tool.exe"]


def test_signature_part_skipped():
    raw = make_mail(attachments=[("smime.p7s", b"\x30\x82" * 20, "application/pkcs7-signature")])
    env = parse_envelope(raw, Limits())
    assert env.documents == [] and "S/MIME" in env.skipped[0].reason


def test_zip_with_two_pdfs():
    z = _zip({"a.pdf": PDF + b"1", "dir/b.pdf": PDF + b"2"})
    env = parse_envelope(make_mail(attachments=[("docs.zip", z, "application/zip")]), Limits())
    assert sorted(p.name for p in env.documents) == ["a.pdf", "b.pdf"]
    assert all(p.origin == "zip:docs.zip" for p in env.documents)


def test_zip_bomb_ratio_refused():
    z = _zip({"bomb.pdf": b"\x00" * 5_000_000})
    env = parse_envelope(make_mail(attachments=[("bomb.zip", z, "application/zip")]), Limits())
    assert env.documents == []
    assert env.refused and "ZIP bomb" in env.refused[0].reason


def test_zip_too_many_files_and_total_size():
    lim = Limits.model_validate({"zip": {"max_files": 2, "max_total_mb": 0.001}})
    z = _zip({f"{i}.pdf": PDF for i in range(3)})
    env = parse_envelope(make_mail(attachments=[("many.zip", z, "application/zip")]), lim)
    assert "3 files" in env.refused[0].reason
    lim2 = Limits.model_validate({"zip": {"max_total_mb": 0.001}})
    env2 = parse_envelope(make_mail(attachments=[("big.zip", _zip({"a.pdf": PDF}),
                                                  "application/zip")]), lim2)
    assert "uncompressed" in env2.refused[0].reason


def test_zip_lying_header_stream_capped():
    """A declared size smaller than the real content is caught while reading."""
    z = bytearray(_zip({"a.pdf": PDF * 5}, zipfile.ZIP_STORED))
    info = zipfile.ZipFile(io.BytesIO(bytes(z))).infolist()[0]
    real = info.file_size
    # patch declared uncompressed size (local header offset 22, central dir offset 24)
    cd = bytes(z).rfind(b"PK\x01\x02")
    for off in (22, cd + 24):
        z[off:off + 4] = (real // 10).to_bytes(4, "little")
    env = parse_envelope(make_mail(attachments=[("lie.zip", bytes(z), "application/zip")]),
                         Limits())
    assert env.documents == [] and env.refused


def test_nested_zip_depth_limit():
    inner = _zip({"a.pdf": PDF})
    outer = _zip({"inner.zip": _zip({"inner2.zip": inner})})
    lim = Limits.model_validate({"zip": {"max_depth": 2}})
    env = parse_envelope(make_mail(attachments=[("o.zip", outer, "application/zip")]), lim)
    assert env.documents == [] and "deeper" in env.refused[0].reason


def test_attached_eml_recursed_with_depth_limit():
    inner = make_mail(subject="inner", attachments=[("inner.pdf", PDF, "application/pdf")])
    raw = make_mail(subject="Fwd", attachments=[("fwd.eml", inner, "message/rfc822")])
    env = parse_envelope(raw, Limits())
    assert [p.name for p in env.documents] == ["inner.pdf"]
    assert env.subject == "Fwd"
    env0 = parse_envelope(raw, Limits(eml_depth=0))
    assert env0.documents == [] and env0.refused


def test_mail_over_size_limit_rejected_whole():
    raw = make_mail(attachments=[("big.pdf", PDF * 1000, "application/pdf")])
    env = parse_envelope(raw, Limits(max_mail_mb=1))
    assert env.documents == [] and "over the 1 MB limit" in (env.reject_reason or "")


def test_config_valid_and_errors(tmp_path, monkeypatch):
    p = tmp_path / "capture.yaml"
    p.write_text("""
mailboxes:
  - name: orders
    host: imap.example.com
    user: o@example.com
    password_env: ORDERS_PW
    rules: {allow_senders: ["@customer.example"], subject_regex: "(?i)order"}
folders: [{path: /tmp/x}]
""")
    cfg = load_capture_config(p)
    m = cfg.mailboxes[0]
    assert m.effective_port == 993 and m.after == "move" and m.folder == "INBOX"
    assert m.rules.sender_allowed("bob@customer.example")
    assert not m.rules.sender_allowed("eve@evil.example")
    monkeypatch.setenv("ORDERS_PW", "pw")
    assert m.password() == "pw"
    base = {"name": "a", "host": "h", "user": "u", "password_env": "X"}
    with pytest.raises(ConfigError, match=r"mailboxes\[0\]\.security"):
        parse_capture_config({"mailboxes": [{**base, "security": "tls"}]})
    with pytest.raises(ConfigError, match=r"mailboxes\[0\]\.limits\.zip\.max_files"):
        parse_capture_config({"mailboxes": [{**base, "limits": {"zip": {"max_files": 0}}}]})
    with pytest.raises(ConfigError, match="exactly one of"):
        parse_capture_config({"mailboxes": [{**base, "password_file": "/x"}]})
    with pytest.raises(ConfigError, match=r"mailboxes\[0\]\.colour: unknown key"):
        parse_capture_config({"mailboxes": [{**base, "colour": 1}]})
    with pytest.raises(ConfigError, match="used twice"):
        parse_capture_config({"mailboxes": [base, base]})
    with pytest.raises(ConfigError, match="ORDERS_MISSING"):
        parse_capture_config({"mailboxes": [{**base, "password_env": "ORDERS_MISSING"}]}
                             ).mailboxes[0].password()


def test_oauth2_token_command():
    cfg = parse_capture_config({"mailboxes": [{"name": "a", "host": "h", "user": "u",
                                               "oauth2_token_command": "echo tok123"}]})
    assert cfg.mailboxes[0].oauth2_token() == "tok123"
