"""Tests for the synthetic document generators (generators/)."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import io
import json
import random
import re
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from stdnum import get_cc_module
from stdnum import iban as std_iban

from extraction.model import HEADER_FIELDS, LINE_FIELDS
from generators import labels
from generators.__main__ import main as cli_main
from generators.corpus import generate_set, sample_documents
from generators.documents import (KINDS, LAYOUTS, CreditNote, Invoice, PurchaseOrder,
                                  RemittanceAdvice, make_document)
from generators.formats import Style, fmt_amount, fmt_date, fmt_qty, printed
from generators.html import po_text, remittance_html, remittance_text
from generators.mail import Attachment, build_email, document_email
from generators.parties import COUNTRIES, make_iban, make_party, make_vat_id, make_world
from generators.pdf import render_pdf
from generators.scan import estimate_skew, image_pdf, save_scan, scan_pdf

BASE = dt.date(2024, 11, 15)
WORLD = make_world(11)
AMOUNT = re.compile(r"^-?\d+\.\d{2}$")
DECIMAL = re.compile(r"^\d+(\.\d*[1-9])?$")


def _doc(kind: str, seed: int, **kw: object):
    return make_document(kind, random.Random(seed), WORLD, BASE, **kw)  # type: ignore[arg-type]


def _pdf_text(data: bytes) -> tuple[list[str], str]:
    pdf = pdfium.PdfDocument(data)
    pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    joined = re.sub(r"\s+", " ", " ".join(pages).replace("\xa0", " "))
    return pages, joined


def _expected_strings(doc) -> list[tuple[str, str]]:
    """(field, printed form) for every truth value; addresses are checked line by line."""
    truth = doc.truth()
    items = list(truth["fields"].items())
    items += [(k, v) for line in truth["lines"] for k, v in line.items()]
    out = []
    for name, value in items:
        if name in ("seller_address", "ship_to"):
            out += [(name, part) for part in value.split(", ")]
        else:
            out.append((name, printed(name, value, doc.style)))
    return out


# ----------------------------------------------------------------- formats & parties

def test_number_and_date_formats() -> None:
    assert fmt_amount("1234.56", "en") == "1,234.56"
    assert fmt_amount("1234.56", "de") == "1.234,56"
    assert fmt_amount("1234.56", "fr") == "1 234,56"
    assert fmt_amount("-1234567.5", "de") == "-1.234.567,50"
    assert fmt_qty("1.50", "de") == "1,5" and fmt_qty("2", "en") == "2"
    d = dt.date(2024, 12, 25)
    assert fmt_date(d, "dmy_dot") == "25.12.2024"
    assert fmt_date(d, "mdy_slash") == "12/25/2024"
    assert fmt_date(d, "dmy_slash") == "25/12/2024"
    assert fmt_date(d, "d_mon_y", "fr") == "25 déc. 2024"
    assert printed("seller_iban", "DE89370400440532013000", Style()) == \
        "DE89 3704 0044 0532 0130 00"


@pytest.mark.parametrize("cc", COUNTRIES)
def test_vat_ids_and_ibans_pass_checksums(cc: str) -> None:
    rng = random.Random(cc)
    for _ in range(200):
        vat, iban = make_vat_id(rng, cc), make_iban(rng, cc)
        if cc == "US":
            assert vat is None and iban is None
            continue
        assert vat and vat == vat.upper() and " " not in vat
        assert get_cc_module(cc.lower(), "vat").is_valid(vat), vat
        assert iban and std_iban.is_valid(iban), iban


def test_parties_and_texts_fit_winansi() -> None:
    rng = random.Random(5)
    texts = [t for lang in ("en", "de", "fr") for k in labels.keys()
             for v in range(3) for t in [labels.label(lang, k, v)]]
    for _ in range(100):
        p = make_party(rng)
        texts += [p.name, p.email] + p.address_lines("de") + p.address_lines("fr")
    texts += [d for prod in WORLD.products for d in prod.descriptions.values()]
    for t in texts:
        t.encode("cp1252")   # Helvetica/WinAnsi can render it


# ----------------------------------------------------------------- truth

@pytest.mark.parametrize("kind", KINDS)
def test_truth_uses_canonical_names_and_formats(kind: str) -> None:
    for seed in range(25):
        doc = _doc(kind, seed)
        truth = doc.truth()
        dtype = truth["doc_type"]
        assert set(truth["fields"]) <= set(HEADER_FIELDS[dtype])
        assert truth["lines"]
        for line in truth["lines"]:
            assert set(line) <= set(LINE_FIELDS[dtype])
        for name, value in truth["fields"].items():
            assert isinstance(value, str) and value
            if name.endswith("_date"):
                dt.date.fromisoformat(value)
            if name.startswith("total_") or name in ("amount_due", "payment_amount"):
                assert AMOUNT.match(value), (name, value)
            if name in ("seller_vat_id", "buyer_vat_id", "seller_iban"):
                assert value == value.upper() and " " not in value
        for line in truth["lines"]:
            for name in ("unit_price", "line_total", "amount_paid", "discount", "deduction"):
                if name in line:
                    assert AMOUNT.match(line[name]), (name, line[name])
            for name in ("quantity", "tax_rate"):
                if name in line:
                    assert DECIMAL.match(line[name]), (name, line[name])


def test_item_arithmetic_is_consistent() -> None:
    for seed in range(60):
        doc = _doc(("po", "invoice", "credit_note")[seed % 3], seed)
        t = doc.truth()
        net = Decimal(0)
        tax_by_rate: dict[Decimal, Decimal] = {}
        for ln, line in zip(t["lines"], doc.lines):
            total = (Decimal(ln["quantity"]) * Decimal(ln["unit_price"])).quantize(
                Decimal("0.01"), rounding="ROUND_HALF_UP")
            assert Decimal(ln["line_total"]) == total
            net += total
            tax_by_rate[line.tax_rate] = tax_by_rate.get(line.tax_rate, Decimal(0)) + total
        f = t["fields"]
        assert Decimal(f["total_net"]) == net
        tax = sum((n * r / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
                  for r, n in tax_by_rate.items())
        assert Decimal(f["total_gross"]) == net + tax
        if "total_tax" in f:
            assert Decimal(f["total_tax"]) == tax
            assert Decimal(f["amount_due"]) <= Decimal(f["total_gross"])


def test_remittance_arithmetic_discounts_and_deductions() -> None:
    seen_discount = seen_deduction = False
    for seed in range(40):
        doc = _doc("remittance", seed)
        assert isinstance(doc, RemittanceAdvice)
        t = doc.truth()
        total = Decimal(0)
        for ln, src in zip(t["lines"], doc.lines):
            paid = Decimal(ln["amount_paid"])
            assert paid == src.invoice_amount - Decimal(ln["discount"]) - \
                Decimal(ln["deduction"])
            if Decimal(ln["discount"]):
                seen_discount = True
            if Decimal(ln["deduction"]):
                seen_deduction = True
                assert ln["deduction_reason"]
            total += paid
        assert Decimal(t["fields"]["payment_amount"]) == total
    assert seen_discount and seen_deduction


# ----------------------------------------------------------------- PDF

def test_pdf_is_reproducible() -> None:
    a = render_pdf(_doc("invoice", 3))
    b = render_pdf(_doc("invoice", 3))
    c = render_pdf(_doc("invoice", 4))
    assert a.startswith(b"%PDF") and a == b and a != c


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_truth_value_is_in_the_text_layer(kind: str, layout: str) -> None:
    langs = set()
    for seed in range(6):
        doc = _doc(kind, seed * 7 + len(layout), layout=layout)
        langs.add(doc.style.lang)
        _, text = _pdf_text(render_pdf(doc))
        missing = [(n, s) for n, s in _expected_strings(doc) if s not in text]
        assert not missing, (doc.style, missing)


def test_all_languages_are_rendered() -> None:
    titles = {"en": "Invoice", "de": "Rechnung", "fr": "Facture"}
    seen = set()
    for seed in range(40):
        doc = _doc("invoice", seed)
        _, text = _pdf_text(render_pdf(doc))
        assert titles[doc.style.lang].lower() in text.lower()
        seen.add(doc.style.lang)
    assert seen == {"en", "de", "fr"}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_long_documents_repeat_the_table_header(layout: str) -> None:
    doc = _doc("invoice", 9, n_lines=60, layout=layout)
    pages, text = _pdf_text(render_pdf(doc))
    assert len(pages) >= 2
    head = labels.label(doc.style.lang, "description", 0 if layout == "classic" else
                        {"modern": 1, "compact": 2, "boxed": 1}[layout])
    assert head in pages[1]
    assert printed("total_gross", doc.truth()["fields"]["total_gross"], doc.style) in pages[-1]
    assert all(s in text for _, s in _expected_strings(doc))


# ----------------------------------------------------------------- mail bodies

def test_html_and_text_bodies_carry_the_truth() -> None:
    for seed in range(12):
        rem = _doc("remittance", seed)
        po = _doc("po", seed)
        assert isinstance(rem, RemittanceAdvice) and isinstance(po, PurchaseOrder)
        bodies = [(rem, remittance_html(rem, v)) for v in range(4)]
        bodies += [(rem, remittance_text(rem, v)) for v in range(3)]
        bodies += [(po, po_text(po, v)) for v in range(2)]
        for doc, body in bodies:
            text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))
            missing = [s for _, s in _expected_strings(doc) if s not in text]
            assert not missing, missing
    assert "<table" in remittance_html(rem, 0)


# ----------------------------------------------------------------- scans

def test_scan_is_image_only_skewed_and_reproducible(tmp_path: Path) -> None:
    pdf = render_pdf(_doc("invoice", 2, n_lines=6, layout="classic"))
    res = scan_pdf(pdf, seed=42, dpi=200)
    assert len(res.pages) == 1 and res.rotation == 0
    assert abs(res.skew[0]) <= 3.0
    assert abs(estimate_skew(res.pages[0]) - res.skew[0]) < 0.5
    page = res.pages[0]
    assert page.size == (1654, 2339)
    out_pdf = image_pdf(res)
    scanned = pdfium.PdfDocument(out_pdf)
    assert len(scanned) == 1
    assert scanned[0].get_textpage().get_text_range().strip() == ""
    assert out_pdf == image_pdf(scan_pdf(pdf, seed=42, dpi=200))
    png = save_scan(res, tmp_path / "s.png")
    with Image.open(png) as im:
        assert im.size == page.size


def test_scan_skew_bounds_rotation_and_tiff(tmp_path: Path) -> None:
    doc = _doc("po", 5, n_lines=50)
    pdf = render_pdf(doc)
    res = scan_pdf(pdf, seed=7, dpi=100, max_skew=2.0)
    assert len(res.pages) >= 2 and all(abs(a) <= 2.0 for a in res.skew)
    tif = save_scan(res, tmp_path / "s.tif")
    with Image.open(tif) as im:
        assert getattr(im, "n_frames", 1) == len(res.pages)
    turned = scan_pdf(pdf, seed=7, dpi=100, rotate=90, max_pages=1)
    assert turned.pages[0].size == res.pages[0].size[::-1]


# ----------------------------------------------------------------- mail

def test_email_round_trip_with_attachments() -> None:
    doc = _doc("invoice", 1)
    pdf = render_pdf(doc)
    png = io.BytesIO()
    Image.new("L", (20, 20), 200).save(png, format="PNG")
    inner = build_email("a@x.example", "b@y.example", "Original", "forwarded body",
                        inline_logo=False, seed=1)
    raw = document_email(doc, [Attachment("invoice.pdf", pdf),
                               Attachment("scan.png", png.getvalue(), "image/png")],
                         seed=3, attached_eml=inner)
    assert raw == document_email(doc, [Attachment("invoice.pdf", pdf),
                                       Attachment("scan.png", png.getvalue(), "image/png")],
                                 seed=3, attached_eml=inner)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert doc.number in msg["Subject"] and msg["From"].addresses[0].addr_spec
    atts = {a.get_filename(): a for a in msg.iter_attachments()}
    assert atts["invoice.pdf"].get_content() == pdf
    assert atts["scan.png"].get_content_type() == "image/png"
    assert atts["forwarded.eml"].get_content_type() == "message/rfc822"
    assert atts["forwarded.eml"].get_content()["Subject"] == "Original"
    logo = [p for p in msg.walk() if p.get_content_disposition() == "inline"]
    assert len(logo) == 1 and logo[0].get_content_type() == "image/png"
    cid = logo[0]["Content-ID"].strip("<>")
    html_part = msg.get_body(preferencelist=("html",))
    assert html_part is not None and f"cid:{cid}" in html_part.get_content()
    plain = msg.get_body(preferencelist=("plain",))
    assert plain is not None and doc.number in plain.get_content()


# ----------------------------------------------------------------- corpus & CLI

def test_generate_set_is_deterministic_and_complete(tmp_path: Path) -> None:
    a = generate_set(tmp_path / "a", 12, seed=5, scanned_fraction=0.0)
    b = generate_set(tmp_path / "b", 12, seed=5, scanned_fraction=0.0)
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes()
        truth = pa.with_name(pa.name.split(".")[0] + ".truth.json")
        assert truth.read_bytes() == (pb.parent / truth.name).read_bytes()
        data = json.loads(truth.read_text(encoding="utf-8"))
        assert data["doc_type"] in HEADER_FIELDS
        assert re.match(r"^(po|invoice|credit_note|remittance)-\d{4}\.(pdf|png|html|txt)$",
                        pa.name)
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert [d["file"] for d in manifest["documents"]] == [p.name for p in a]
    assert {d["kind"] for d in manifest["documents"]} == set(KINDS)


def test_cli_and_sample_documents(tmp_path: Path) -> None:
    assert cli_main([str(tmp_path / "cli"), "--count", "6", "--seed", "2",
                     "--kinds", "invoice,credit_note", "--scanned-fraction", "0.5"]) == 0
    manifest = json.loads((tmp_path / "cli" / "manifest.json").read_text(encoding="utf-8"))
    docs = manifest["documents"]
    assert len(docs) == 6 and {d["kind"] for d in docs} == {"invoice", "credit_note"}
    for d in docs:
        assert (tmp_path / "cli" / d["file"]).exists()
        assert (tmp_path / "cli" / d["truth"]).exists()
    paths = sample_documents(tmp_path / "sample", seed=1)
    assert [p.suffix for p in paths] == [".pdf", ".pdf", ".png", ".html"]
    kinds = [json.loads(p.with_name(p.stem + ".truth.json").read_text())["doc_type"]
             for p in paths]
    assert kinds == ["purchase_order", "invoice", "invoice", "remittance"]
    assert isinstance(_doc("credit_note", 1), CreditNote)
    assert isinstance(_doc("invoice", 1), Invoice)
