"""Party matching: exact VAT / IBAN / e-mail domain, fuzzy names, ambiguity, unknowns,
and the party checks built on it."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from validation.checks import Ctx
from validation.checks_party import PARTY_CHECKS
from validation.masterdata import MasterDataRepository, import_records
from validation.party_match import match_party, split_name
from validation.result import ValidationResult

SUPPLIERS = [
    {"number": "S-1", "name": "Müller Feinmechanik GmbH", "vat_id": "DE136695976",
     "ibans": ["DE89370400440532013000"], "email_domains": ["mueller-fm.de"],
     "address_line1": "Hauptstraße 5", "postcode": "50667", "city": "Köln", "country": "DE"},
    {"number": "S-2", "name": "Durand Emballages S.A.R.L.", "vat_id": "FR40303265045",
     "aliases": ["Durand Packaging"], "postcode": "45000", "city": "Orléans", "country": "FR"},
    {"number": "S-3", "name": "Hollis & Carver Ltd", "ibans": ["GB82WEST12345698765432"],
     "postcode": "LS1 4AB", "city": "Leeds", "country": "GB"},
    {"number": "S-4", "name": "Brenner Logistik GmbH", "postcode": "10115", "city": "Berlin"},
    {"number": "S-5", "name": "Brenner Logistik AG", "postcode": "80331", "city": "München"},
    {"number": "S-6", "name": "Visser Industrieweg B.V.", "email_domains": ["visser.nl"],
     "active": False},
]


@pytest.fixture
def repo(rt):
    with rt.db.session() as s:
        import_records(s, "suppliers", SUPPLIERS).raise_for_errors()
        import_records(s, "customers", [{"number": "K-1", "name": "Rossi S.p.A."}])
        yield MasterDataRepository(s)


def test_split_name_legal_forms():
    assert split_name("Müller & Söhne GmbH & Co. KG") == ("muller sohne", "gmbh co kg")
    assert split_name("Durand S.A.R.L.")[1] == "sarl"
    assert split_name("van Dijk B.V.") == ("van dijk", "bv")
    assert split_name("ACME Inc.") == ("acme", "inc")


def test_vat_exact(repo):
    m = match_party(repo, kind="supplier", name="totally different", vat_id="DE 136 695 976")
    assert (m.number, m.method, m.score) == ("S-1", "vat", 1.0)
    assert match_party(repo, kind="supplier", name=None, vat_id="136695976").number == "S-1"


def test_iban_exact(repo):
    m = match_party(repo, kind="suppliers", name="H&C", iban="GB82 WEST 1234 5698 7654 32")
    assert (m.number, m.method) == ("S-3", "iban")


def test_email_domain(repo):
    m = match_party(repo, kind="supplier", name="?", email="Buchhaltung <rechnung@mail.mueller-fm.de>")
    assert (m.number, m.method) == ("S-1", "email_domain")
    assert not match_party(repo, kind="supplier", name="x", email="a@gmail.com").matched


@pytest.mark.parametrize("name, number", [
    ("Müller Feinmechanik GmbH", "S-1"),
    ("MUELLER FEINMECHANIK", "S-1"),                # no legal form, transliterated
    ("Muller Feinmechanik G.m.b.H.", "S-1"),
    ("Mülller Feinmechanlk GmbH", "S-1"),           # OCR typos
    ("Durand Emballages SARL", "S-2"),
    ("Durand Emballages S.A.R.L", "S-2"),
    ("Durand Packaging", "S-2"),                    # alias
    ("Hollis and Carver Limited", "S-3"),
    ("Hollis & Carver Ltd.", "S-3"),
])
def test_fuzzy_name(repo, name, number):
    m = match_party(repo, kind="supplier", name=name)
    assert m.number == number, m.reason
    assert m.method == "name"


def test_legal_form_disambiguates(repo):
    assert match_party(repo, kind="supplier", name="Brenner Logistik AG").number == "S-5"
    assert match_party(repo, kind="supplier", name="Brenner Logistik GmbH").number == "S-4"


def test_ambiguous_without_address(repo):
    m = match_party(repo, kind="supplier", name="Brenner Logistik")
    assert not m.matched and "ambiguous" in m.reason
    assert {c.number for c in m.candidates[:2]} == {"S-4", "S-5"}
    m = match_party(repo, kind="supplier", name="Brenner Logistik",
                    address="Alexanderplatz 1, 80331 München")
    assert (m.number, m.method) == ("S-5", "name+address")


def test_unknown(repo):
    m = match_party(repo, kind="supplier", name="Zebra Holding Inc.", vat_id="DE811569869")
    assert not m.matched and m.method == "none" and "no supplier name close" in m.reason
    assert not match_party(repo, kind="supplier", name="").matched
    assert match_party(repo, kind="customer", name="Rossi SpA").number == "K-1"
    assert not match_party(repo, kind="customer", name="Müller Feinmechanik GmbH").matched


def _ctx(session, doc_type, fields, sender=None):
    doc = SimpleNamespace(id=1, sender=sender)
    extraction = {"doc_type": doc_type,
                  "fields": {k: {"value": v, "confidence": 1.0} for k, v in fields.items()}}
    from datetime import date
    ctx = Ctx(doc, extraction, ValidationResult(), session, date.today())
    for check in PARTY_CHECKS:
        check(ctx)
    return {c.code: c for c in ctx.result.checks}


def test_party_checks(repo):
    s = repo.session
    r = _ctx(s, "invoice", {"seller_name": "Müller Feinmechanik", "seller_vat_id": "DE136695976",
                            "seller_iban": "DE89370400440532013000"})
    assert r["partner.matched"].ok and "S-1 Müller Feinmechanik GmbH by VAT ID" in r["partner.matched"].reason
    assert r["partner.vat_ok"].ok and r["partner.iban_ok"].ok
    r = _ctx(s, "invoice", {"seller_name": "Müller Feinmechanik GmbH",
                            "seller_iban": "GB82WEST12345698765432"})
    # the IBAN of another supplier than the one named: no auto-match, both named
    c = r["partner.conflict"]
    assert not c.ok and "S-3" in c.reason and "S-1" in c.reason
    r = _ctx(s, "invoice", {"seller_name": "Müller Feinmechanik GmbH",
                            "seller_vat_id": "DE136695976", "seller_iban": "DE02120300000000202051"})
    c = r["partner.iban_changed"]
    assert not c.ok and c.blocking and "fraud" in c.reason
    r = _ctx(s, "invoice", {"seller_name": "Zebra AG", "seller_vat_id": "DE123456789"})
    assert not r["partner.unknown"].ok and "Zebra AG" in r["partner.unknown"].reason
    assert not r["partner.vat_invalid"].ok
    r = _ctx(s, "invoice", {"seller_name": "Müller FM", "seller_vat_id": "DE136695976"})
    assert r["partner.matched"].reason.startswith("matched supplier S-1")
    r = _ctx(s, "invoice", {"seller_name": "Visser"}, sender="ap@visser.nl")
    assert not r["partner.inactive"].ok
    r = _ctx(s, "purchase_order", {"buyer_name": "Rossi S.p.A."})
    assert "customer K-1" in r["partner.matched"].reason
    r = _ctx(None, "invoice", {"seller_name": "x"})
    assert r == {}


def test_no_masterdata(rt):
    with rt.db.session() as s:
        r = _ctx(s, "remittance", {"payer_name": "Rossi"})
        assert not r["partner.no_masterdata"].ok and not r["partner.no_masterdata"].blocking
