"""Master-data import: encodings, delimiters, locales, bad input, versioning."""
from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.errors import InputError, UnreadablePath
from validation.masterdata import (MasterDataImportError, MasterDataRepository, active_versions,
                                   import_file, import_records, import_sql, prune_versions)
from validation.masterdata.importer import decode, sniff_delimiter
from validation.masterdata.models import MasterDataVersion, Partner

SUPPLIERS = ("number;name;vat_id;iban;email_domain;city;country;payment_terms\n"
             "S-1;Müller Feinmechanik GmbH;DE136695976;DE89 3704 0044 0532 0130 00;"
             "mueller.de;Köln;DE;NT30\n"
             "S-2;Durand Emballages SARL;FR40303265045;;durand.fr;Orléans;FR;\n")


def _write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def _products(s, tmp_path):
    p = _write(tmp_path / "products.csv", "SKU,Description,Unit\nA-1,Bolt,pcs\nA-2,Nut,pcs\n")
    return import_file(s, p, "products").raise_for_errors()


def test_decode_and_sniff():
    assert decode("Müller".encode("utf-8-sig")) == ("Müller", "utf-8-sig")
    assert decode("Müller".encode("cp1252"))[0] == "Müller"
    assert decode("Müller\x81".encode("latin-1"))[1] == "latin-1"
    assert sniff_delimiter("a;b;c") == ";" and sniff_delimiter("a\tb") == "\t"
    assert sniff_delimiter('"x;y",b,c') == ","


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-8-sig", "utf-16"])
def test_encodings(rt, tmp_path, encoding):
    path = _write(tmp_path / "s.csv", SUPPLIERS, encoding)
    with rt.db.session() as s:
        r = import_file(s, path, "suppliers")
        assert r.ok, r.errors
        assert r.rows == 2 and r.delimiter == ";"
        p = MasterDataRepository(s).partner("supplier", "S-1")
        assert p.name == "Müller Feinmechanik GmbH" and p.city == "Köln"
        assert p.ibans == ["DE89370400440532013000"] and p.email_domains == ["mueller.de"]


def test_semicolon_decimal_comma_and_dates(rt, tmp_path):
    with rt.db.session() as s:
        _products(s, tmp_path)
        p = _write(tmp_path / "prices.csv",
                   "Artikelnummer; Price ;Currency;Valid From;valid to\n"
                   "A-1;1.234,56;eur;01.02.2024;31.12.2024\nA-2;0,5;EUR;2024-01-01;\n")
        r = import_file(s, p, "prices")
        assert r.ok, r.errors
        repo = MasterDataRepository(s)
        assert repo.price("A-1", on=date(2024, 6, 1)).price == Decimal("1234.56")
        assert repo.price("A-1", on=date(2025, 6, 1)) is None
        assert repo.price("A-2", on=date(2030, 1, 1)).price == Decimal("0.5")


def test_tab_delimited_with_aliases(rt, tmp_path):
    p = _write(tmp_path / "t.tsv", "Terms Code\tNet Days\tSkonto\tSkonto Days\n2-10-30\t30\t2.5\t10\n")
    with rt.db.session() as s:
        assert import_file(s, p, "payment_terms").ok
        t = MasterDataRepository(s).payment_terms("2-10-30")
        assert (t.net_days, t.discount_percent, t.discount_days) == (30, Decimal("2.5"), 10)


def test_missing_required_columns_named(rt, tmp_path):
    p = _write(tmp_path / "c.csv", "city,country\nKöln,DE\n")
    with rt.db.session() as s:
        r = import_file(s, p, "customers")
        assert not r.ok
        assert "missing required column(s): number, name" in r.errors[0].message
        with pytest.raises(MasterDataImportError, match="number, name"):
            r.raise_for_errors()


def test_row_errors_with_line_numbers(rt, tmp_path):
    p = _write(tmp_path / "ar.csv",
               "number,customer_number,issue_date,amount,currency\n"
               "R1,K1,2024-01-31,100.00,EUR\n"
               "R2,K1,31.02.2024,100.00,EUR\n"           # no such date
               "R3,K1,2024-01-31,12x,EUR\n"              # bad number
               "R1,K1,2024-01-31,5.00,EUR\n"             # duplicate key
               "R4,K1,2024-01-31,5.00,EURO\n")           # bad currency
    with rt.db.session() as s:
        import_records(s, "customers", [{"number": "K1", "name": "Kunde GmbH"}]).raise_for_errors()
        r = import_file(s, p, "ar_invoices")
        assert not r.ok and r.error_count == 4
        lines = {e.line: str(e) for e in r.errors}
        assert "not a date" in lines[3] and "issue_date" in lines[3]
        assert "not a number" in lines[4]
        assert "duplicate key number=R1 (first on line 2)" in lines[5]
        assert "currency" in lines[6]
        assert active_versions(s).get("ar_invoices") is None


def test_unknown_references_rejected(rt, tmp_path):
    with rt.db.session() as s:
        import_file(s, _write(tmp_path / "s.csv", SUPPLIERS), "suppliers").raise_for_errors()
        _products(s, tmp_path)
        p = _write(tmp_path / "pn.csv", "partner_kind,partner_number,part_number,sku\n"
                   "supplier,S-1,X-1,A-1\nsupplier,S-1,X-2,NOPE\nsupplier,S-9,X-3,A-2\n")
        r = import_file(s, p, "part_numbers")
        assert not r.ok
        msgs = [str(e) for e in r.errors]
        assert any("line 3" in m and "unknown product 'NOPE'" in m for m in msgs)
        assert any("line 4" in m and "unknown supplier 'S-9'" in m for m in msgs)


def test_reference_to_missing_master_set(rt):
    with rt.db.session() as s:
        r = import_records(s, "ar_invoices", [{"number": "R1", "customer_number": "K1",
                                               "issue_date": "2024-01-01", "amount": 1,
                                               "currency": "EUR"}])
        assert not r.ok and "import customers first" in r.errors[0].message


def test_failed_import_keeps_previous_version(rt, tmp_path):
    with rt.db.session() as s:
        good = import_file(s, _write(tmp_path / "s.csv", SUPPLIERS), "suppliers")
        bad = import_file(s, _write(tmp_path / "s2.csv", SUPPLIERS + "S-1;Dup AG;;;;;;\n"),
                          "suppliers")
        assert good.ok and not bad.ok
        assert active_versions(s)["suppliers"] == good.version_id
        assert MasterDataRepository(s).partner("supplier", "S-1").name.startswith("Müller")
        failed = s.scalars(select(MasterDataVersion).where(
            MasterDataVersion.status == "failed")).one()
        assert failed.error_count == 1 and "duplicate" in failed.message
        assert s.scalars(select(Partner).where(Partner.version_id == failed.id)).all() == []
        newer = import_records(s, "suppliers", [{"number": "S-7", "name": "Neu GmbH"}])
        repo = MasterDataRepository(s)
        assert repo.version("suppliers") == newer.version_id
        assert repo.partner("supplier", "S-1") is None
        assert prune_versions(s, "suppliers", keep=1) == 1


def test_errors_capped(rt):
    recs = [{"code": f"T{i}", "net_days": "x"} for i in range(500)]
    with rt.db.session() as s:
        r = import_records(s, "payment_terms", recs)
        assert r.error_count == 500 and len(r.errors) == 200


def test_purchase_orders_flat_format(rt, tmp_path):
    p = _write(tmp_path / "po.csv",
               "po_number;supplier_number;order_date;currency;line_no;sku;quantity;unit_price;"
               "received_qty;receipt_number;receipt_date\n"
               "P1;S-1;01.03.2024;EUR;10;A-1;100;1,50;60;GR1;05.03.2024\n"
               "P1;S-1;01.03.2024;EUR;10;A-1;100;1,50;40;GR2;09.03.2024\n"
               "P1;S-1;01.03.2024;EUR;20;A-2;5;2,00;;;\n")
    with rt.db.session() as s:
        import_file(s, _write(tmp_path / "s.csv", SUPPLIERS), "suppliers").raise_for_errors()
        _products(s, tmp_path)
        assert import_file(s, p, "purchase_orders").raise_for_errors().rows == 1
        po = MasterDataRepository(s).purchase_order("P1")
        assert [ln.line_no for ln in po.lines] == [10, 20]
        assert po.received == {10: Decimal("100")} and po.lines[0].unit_price == Decimal("1.5")
        bad = _write(tmp_path / "po2.csv", "po_number,supplier_number,line_no,quantity\n"
                     "P2,S-1,1,1\nP2,S-2,2,1\n")
        r = import_file(s, bad, "purchase_orders")
        assert not r.ok and "supplier_number S-2 differs from S-1 on line 2" in str(r.errors[0])


def test_json_file_and_records(rt, tmp_path):
    p = tmp_path / "products.json"
    p.write_text(json.dumps({"products": [{"SKU": "J-1", "Name": "Widget", "active": "no"}]}))
    with rt.db.session() as s:
        assert import_file(s, p, "products").ok
        assert MasterDataRepository(s).product("J-1").active is False
        r = import_records(s, "customers", [{"number": "K1", "name": "A", "ibans": ["XX"]}])
        assert not r.ok and "not an IBAN" in str(r.errors[0])


def test_sql_source(rt, tmp_path):
    src = tmp_path / "erp.sqlite"
    with sqlite3.connect(src) as con:
        con.execute("create table kunden (kdnr text, firma text, ustid text, plz text)")
        con.executemany("insert into kunden values (?,?,?,?)",
                        [("K1", "Alpha GmbH", "DE136695976", "50667"), ("K2", "Beta AG", None, None)])
    with rt.db.session() as s:
        r = import_sql(s, "customers", f"sqlite:///{src}",
                       "select kdnr as number, firma as name, ustid as vat_id, plz as zip "
                       "from kunden")
        assert r.ok and r.rows == 2 and r.source.startswith("sql:")
        assert MasterDataRepository(s).partner("customer", "K1").postcode == "50667"
        with pytest.raises(MasterDataImportError):
            import_sql(s, "customers", f"sqlite:///{src}", "select * from nope")


def test_bad_arguments(rt, tmp_path):
    with rt.db.session() as s:
        with pytest.raises(InputError, match="unknown master-data kind"):
            import_records(s, "widgets", [])
        with pytest.raises(UnreadablePath):
            import_file(s, tmp_path / "missing.csv", "customers")
        r = import_file(s, _write(tmp_path / "e.csv", "\n\n"), "customers")
        assert not r.ok and "empty" in r.errors[0].message
