"""Tests for extraction.normalize: locale-aware amounts, quantities, percentages, dates,
currencies, VAT ids and IBANs, including junk input (every function must be total)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from extraction.normalize import (
    date_order_for_country, format_amount, format_percent, format_quantity, iban_valid,
    iso_date, normalize_currency, normalize_iban, normalize_vat_id, parse_amount, parse_date,
    parse_percent, parse_quantity, vat_id_valid,
)

JUNK: list[object] = [
    None, "", " ", "-", "+", ".", ",", "()", "€", "EUR", "abc", "N/A", "--", "12abc", "1e5",
    "\x00", "🙂", "12 34 56", 12, 12.5, b"12", [], {}, "x" * 500, "1" * 40,
]

# ------------------------------------------------------------------------ parse_amount


@pytest.mark.parametrize("text, hint, expected", [
    ("1.234,56", None, "1234.56"),
    ("1,234.56", None, "1234.56"),
    ("1 234,56", None, "1234.56"),
    ("1\u202f234,56", None, "1234.56"),
    ("1\u00a0234,56", None, "1234.56"),
    ("1\u2009234,56", None, "1234.56"),
    ("1'234.56", None, "1234.56"),
    ("1\u2019234.56", None, "1234.56"),
    ("1234", None, "1234"),
    ("1234.5", None, "1234.5"),
    ("1234,50", None, "1234.50"),
    ("-12,50", None, "-12.50"),
    ("\u221212,50", None, "-12.50"),
    ("12.50-", None, "-12.50"),
    ("12.50 -", None, "-12.50"),
    ("- 12.50", None, "-12.50"),
    ("€ -12,50", None, "-12.50"),
    ("-12,- €", None, "-12"),
    ("(12.50)", None, "-12.50"),
    ("(1.234,56 €)", None, "-1234.56"),
    ("+12.50", None, "12.50"),
    ("€ 1.234,56", None, "1234.56"),
    ("€1.234,56", None, "1234.56"),
    ("1.234,56 €", None, "1234.56"),
    ("1,234.56 USD", None, "1234.56"),
    ("EUR1.234,56", None, "1234.56"),
    ("EUR 1.234,56", None, "1234.56"),
    ("EUR -12,50", None, "-12.50"),
    ("-€12.50", None, "-12.50"),
    ("$12", None, "12"),
    ("US$ 12.00", None, "12.00"),
    ("£1,000.00", None, "1000.00"),
    ("CHF 1'234.50", None, "1234.50"),
    ("Fr. 12.50", None, "12.50"),
    ("12,50 kr", None, "12.50"),
    ("Rs.1,234.00", None, "1234.00"),
    ("12,-", None, "12"),
    ("12,- €", None, "12"),
    ("12.--", None, "12"),
    ("1.234.567,89", None, "1234567.89"),
    ("1,234,567.89", None, "1234567.89"),
    ("1 234 567,89", None, "1234567.89"),
    ("1.234.567", None, "1234567"),
    ("0,125", None, "0.125"),
    ("0.5", None, "0.5"),
    (",50", None, "0.50"),
    ("0", None, "0"),
    ("1234,567", None, "1234.567"),
    # ambiguous: one separator followed by exactly three digits
    ("1,234", None, "1234"),
    ("1.234", None, "1234"),
    ("1.234", "de", "1234"),
    ("1,234", "de", "1.234"),
    ("1,234", "de_DE", "1.234"),
    ("1,234", "fr", "1.234"),
    ("1.234", "fr_FR", "1234"),
    ("1,234", "en", "1234"),
    ("1.234", "en", "1.234"),
    ("1.234", "en_US", "1.234"),
    ("1.234", "de_CH", "1.234"),
    ("12,34", "en", "12.34"),  # two digits: always decimal
    ("12.34", "de", "12.34"),
])
def test_parse_amount(text: str, hint: str | None, expected: str) -> None:
    assert parse_amount(text, hint) == Decimal(expected)


@pytest.mark.parametrize("text", [
    "25.12.2018", "12.34.56", "2018-12-25", "25/12/2018", "+49 30 1234567", "030 1234567",
    "0301234567", "(030) 123-4567", "1,23.45", "12.34,56,78", "1.2.3", "12..50", "12,,50",
    "1 23,45", "12 50", "Total 12,50", "12,50 EUR 3", "12.", "12,", "DE89370400440532013000",
    "12 pcs", "ABC 12", "12%", "1-2", "--12", "(-12)", "-12-", "12€34",
])
def test_parse_amount_rejects(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize("junk", JUNK)
def test_parse_amount_junk(junk: object) -> None:
    assert parse_amount(junk) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("value, expected", [
    ("1234.5", "1234.50"), ("1234", "1234.00"), ("-12", "-12.00"), ("0", "0.00"),
    ("-0", "0.00"), ("0.125", "0.125"), ("0.1250", "0.125"), ("12.10", "12.10"),
    ("1E+3", "1000.00"), ("1234567.891", "1234567.891"), ("-0.001", "-0.001"),
])
def test_format_amount(value: str, expected: str) -> None:
    assert format_amount(Decimal(value)) == expected


def test_format_amount_never_raises() -> None:
    assert format_amount(Decimal("NaN")) == "NaN"
    assert format_amount("junk") == "junk"  # type: ignore[arg-type]
    assert format_amount(12) == "12.00"  # type: ignore[arg-type]


def test_amount_round_trip() -> None:
    assert format_amount(parse_amount("1.234,5 €") or Decimal(0)) == "1234.50"
    assert format_amount(parse_amount("(0,125)") or Decimal(0)) == "-0.125"

# ---------------------------------------------------------------------- quantity / percent


@pytest.mark.parametrize("text, hint, expected", [
    ("2", None, "2"), ("2,0", None, "2"), ("1,5", None, "1.5"), ("1.5", None, "1.5"),
    ("0,125", None, "0.125"), ("2 pcs", None, "2"), ("1,5 kg", None, "1.5"),
    ("10 Stk.", None, "10"), ("3 m²", None, "3"), ("1.000 Stk", "de", "1000"),
    ("1,000", "de", "1"), ("1,000", "en", "1000"), ("-2", None, "-2"), ("1 000", None, "1000"),
])
def test_parse_quantity(text: str, hint: str | None, expected: str) -> None:
    result = parse_quantity(text, hint)
    assert result is not None and format_quantity(result) == expected


@pytest.mark.parametrize("text", ["pcs", "€ 5", "1e5", "2 x 3", "12.34.56", "--2"]
                         + [j for j in JUNK if j != "12abc"])
def test_parse_quantity_rejects(text: object) -> None:
    assert parse_quantity(text) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("value, expected", [
    ("2", "2"), ("2.000", "2"), ("1.50", "1.5"), ("0.125", "0.125"), ("100", "100"),
    ("1E+2", "100"), ("-0", "0"), ("0.0000001", "0.0000001"),
])
def test_format_quantity(value: str, expected: str) -> None:
    assert format_quantity(Decimal(value)) == expected


@pytest.mark.parametrize("text, expected", [
    ("19%", "19"), ("19 %", "19"), ("19,0 %", "19"), ("7.5", "7.5"), ("7,5%", "7.5"),
    ("5.5 %", "5.5"), ("20,00%", "20"), ("0%", "0"), ("% 19", "19"), ("7,500%", "7.5"),
    ("-3%", "-3"), ("19\u00a0%", "19"),
])
def test_parse_percent(text: str, expected: str) -> None:
    result = parse_percent(text)
    assert result is not None and format_percent(result) == expected


@pytest.mark.parametrize("text", ["%", "19%%x", "abc %", "5000 %", "25.12.2018"] + JUNK)
def test_parse_percent_rejects(text: object) -> None:
    assert parse_percent(text) is None  # type: ignore[arg-type]

# ---------------------------------------------------------------------------- dates


@pytest.mark.parametrize("text, expected", [
    ("25.12.2018", date(2018, 12, 25)),
    ("25/12/2018", date(2018, 12, 25)),
    ("25-12-2018", date(2018, 12, 25)),
    ("2018-12-25", date(2018, 12, 25)),
    ("2018/12/25", date(2018, 12, 25)),
    ("20181225", date(2018, 12, 25)),
    ("25-12-18", date(2018, 12, 25)),
    ("25.12.18", date(2018, 12, 25)),
    ("5.1.2024", date(2024, 1, 5)),
    ("01.02.99", date(1999, 2, 1)),
    ("01.02.69", date(2069, 2, 1)),
    ("01.02.70", date(1970, 2, 1)),
    ("12/25/2018", date(2018, 12, 25)),
    ("2018-12-25T10:30:00", date(2018, 12, 25)),
    ("2018-12-25 10:30", date(2018, 12, 25)),
    ("25.12.2018 10:30", date(2018, 12, 25)),
    ("25 December 2018", date(2018, 12, 25)),
    ("December 25, 2018", date(2018, 12, 25)),
    ("December 25th, 2018", date(2018, 12, 25)),
    ("Dec 25, 2018", date(2018, 12, 25)),
    ("Dec. 25, 2018", date(2018, 12, 25)),
    ("25-Dec-2018", date(2018, 12, 25)),
    ("25-DEC-18", date(2018, 12, 25)),
    ("25 Dec '18", date(2018, 12, 25)),
    ("1st March 2024", date(2024, 3, 1)),
    ("Monday, 25 December 2023", date(2023, 12, 25)),
    ("25. Dezember 2018", date(2018, 12, 25)),
    ("3. März 2024", date(2024, 3, 3)),
    ("3. Maerz 2024", date(2024, 3, 3)),
    ("3. Mrz. 2024", date(2024, 3, 3)),
    ("1. Okt. 2024", date(2024, 10, 1)),
    ("15. Jänner 2024", date(2024, 1, 15)),
    ("Montag, 4. März 2024", date(2024, 3, 4)),
    ("25 décembre 2018", date(2018, 12, 25)),
    ("25 decembre 2018", date(2018, 12, 25)),
    ("1er janvier 2024", date(2024, 1, 1)),
    ("1 févr. 2024", date(2024, 2, 1)),
    ("12 août 2024", date(2024, 8, 12)),
    ("le 3 juillet 2024", date(2024, 7, 3)),
    ("lundi 1 juillet 2024", date(2024, 7, 1)),
    ("29.02.2024", date(2024, 2, 29)),
])
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, day_first, hint, expected", [
    ("03/04/2024", None, None, date(2024, 4, 3)),       # default: day first
    ("03/04/2024", True, None, date(2024, 4, 3)),
    ("03/04/2024", False, None, date(2024, 3, 4)),
    ("03/04/2024", None, "en_US", date(2024, 3, 4)),
    ("03/04/2024", None, "en-US", date(2024, 3, 4)),
    ("03/04/2024", None, "us", date(2024, 3, 4)),
    ("03/04/2024", None, "en", date(2024, 4, 3)),
    ("03/04/2024", None, "en_GB", date(2024, 4, 3)),
    ("03/04/2024", None, "de", date(2024, 4, 3)),
    ("03/04/2024", None, "fr_FR", date(2024, 4, 3)),
    ("03/04/2024", True, "en_US", date(2024, 4, 3)),    # explicit day_first wins
    ("13/04/2024", False, None, date(2024, 4, 13)),     # a part > 12 decides
    ("04/13/2024", True, "de", date(2024, 4, 13)),
])
def test_parse_date_ambiguity(text: str, day_first: bool | None, hint: str | None,
                              expected: date) -> None:
    assert parse_date(text, day_first=day_first, locale_hint=hint) == expected


@pytest.mark.parametrize("text", [
    "31/02/2024", "29.02.2023", "32.01.2024", "00.01.2024", "13/13/2024", "2024-13-01",
    "20241301", "December 2018", "25 Foo 2018", "1.234,56", "12.50", "12345678",
    "25.12.1850", "25.12.2150", "25.12", "Dec 25", "25/12-2018", "25 12 2018", "Invoice 2018",
    "25 Dec 2018 extra", "+49 30 1234567",
])
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize("junk", JUNK)
def test_parse_date_junk(junk: object) -> None:
    assert parse_date(junk) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("code, expected", [
    ("DE", True), ("de", True), ("FR", True), ("GB", True), ("AT", True), ("CH", True),
    ("US", False), ("us", False), ("PH", False), ("FM", False), ("PR", False), ("CA", None),
    ("XX", None), ("", None), (None, None), ("DEU", None), (12, None),
])
def test_date_order_for_country(code: object, expected: bool | None) -> None:
    assert date_order_for_country(code) is expected  # type: ignore[arg-type]


def test_iso_date() -> None:
    assert iso_date(date(2024, 3, 1)) == "2024-03-01"
    assert iso_date(parse_date("3. März 2024") or date.min) == "2024-03-03"
    assert iso_date(datetime(2024, 3, 1, 10, 30)) == "2024-03-01"
    assert iso_date(None) == ""  # type: ignore[arg-type]

# ---------------------------------------------------------------------------- currency


@pytest.mark.parametrize("text, hint, expected", [
    ("€", None, "EUR"), ("EUR", None, "EUR"), ("eur", None, "EUR"), ("Euro", None, "EUR"),
    ("euros", None, "EUR"), ("$", None, "USD"), ("$", "CA", "CAD"), ("$", "en_AU", "AUD"),
    ("US$", None, "USD"), ("US$", "CA", "USD"), ("USD", None, "USD"), ("£", None, "GBP"),
    ("GBP", None, "GBP"), ("CHF", None, "CHF"), ("Fr.", None, "CHF"), ("SFr", None, "CHF"),
    ("SFr.", None, "CHF"), ("RM", None, "MYR"), ("¥", None, "JPY"), ("¥", "CN", "CNY"),
    ("₹", None, "INR"), ("Rs", None, "INR"), ("Rs.", None, "INR"), ("INR", None, "INR"),
    ("zł", None, "PLN"), ("PLN", None, "PLN"), ("kr", None, "SEK"), ("kr", "DK", "DKK"),
    ("kr.", "dk", "DKK"), ("kr", "NO", "NOK"), ("kr", "SE", "SEK"), ("CAD", None, "CAD"),
    ("C$", None, "CAD"), ("A$", None, "AUD"), ("AUD", None, "AUD"), ("NZ$", None, "NZD"),
    ("Kč", None, "CZK"), ("JPY", None, "JPY"), (" EUR ", None, "EUR"),
    ("€ 1.234,56", None, "EUR"), ("1,234.56 USD", None, "USD"), ("Betrag in EUR", None, "EUR"),
    ("Total amount in Euro", None, "EUR"), ("12,50 kr", "DK", "DKK"),
])
def test_normalize_currency(text: str, hint: str | None, expected: str) -> None:
    assert normalize_currency(text, hint) == expected


@pytest.mark.parametrize("text", [
    "for all items", "Total", "12,50", "XYZ", "the top", "10 ft", "Dollarama Inc. Ltd."
] + [j for j in JUNK if j not in ("€", "EUR")])
def test_normalize_currency_rejects(text: object) -> None:
    assert normalize_currency(text) is None  # type: ignore[arg-type]

# ---------------------------------------------------------------------- VAT id and IBAN


@pytest.mark.parametrize("text, expected", [
    ("DE 123 456 789", "DE123456789"),
    ("de123456789", "DE123456789"),
    ("FR 40 303 265 045", "FR40303265045"),
    ("ATU12345678", "ATU12345678"),
    ("ATU 1234 5678", "ATU12345678"),
    ("BE 0123.456.789", "BE0123456789"),
    ("NL-8532.84.391.B01", "NL853284391B01"),
    ("CHE-116.281.710 MWST", "CHE116281710MWST"),
    ("GB 980 7806 84", "GB980780684"),
    ("DE000000000", "DE000000000"),           # normalised even when invalid
])
def test_normalize_vat_id(text: str, expected: str) -> None:
    assert normalize_vat_id(text) == expected


@pytest.mark.parametrize("text", ["DE", "ABC", "VAT", "DE 1", "DE#123456789", "€€€€"] + JUNK)
def test_normalize_vat_id_rejects(text: object) -> None:
    assert normalize_vat_id(text) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("text, expected", [
    ("DE136695976", True), ("DE 136 695 976", True), ("FR 40 303 265 045", True),
    ("FR40303265045", True), ("BE0203201340", True), ("ATU13585627", True),
    ("CHE-116.281.710 MWST", True), ("GB980780684", True), ("NO995525828MVA", True),
    ("DE136695977", False), ("DE000000000", False), ("FR00303265045", False),
    ("XX123456789", False), ("", False), (None, False), (12, False),
])
def test_vat_id_valid(text: object, expected: bool) -> None:
    assert vat_id_valid(text) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize("text, expected", [
    ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
    ("de89370400440532013000", "DE89370400440532013000"),
    ("IBAN: DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
    ("FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606"),
    ("GB29 NWBK 6016 1331 9268 19", "GB29NWBK60161331926819"),
    ("DE00 0000 0000 0000 0000 00", "DE00000000000000000000"),   # shape only
])
def test_normalize_iban(text: str, expected: str) -> None:
    assert normalize_iban(text) == expected


@pytest.mark.parametrize("text", ["DE89", "1234567890123456", "IBAN", "DE8937040044€5320130"]
                         + JUNK)
def test_normalize_iban_rejects(text: object) -> None:
    assert normalize_iban(text) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("text, expected", [
    ("DE89 3704 0044 0532 0130 00", True), ("FR1420041010050500013M02606", True),
    ("GB29 NWBK 6016 1331 9268 19", True), ("DE89 3704 0044 0532 0130 01", False),
    ("DE00000000000000000000", False), ("junk", False), (None, False),
])
def test_iban_valid(text: object, expected: bool) -> None:
    assert iban_valid(text) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize("text, expected", [
    ("19 april 2014", date(2014, 4, 19)), ("3 mei 2023", date(2023, 5, 3)),
    ("12 maart 2024", date(2024, 3, 12)), ("1 oktober 2022", date(2022, 10, 1)),
    ("15 augustus 2021", date(2021, 8, 15)),
])
def test_parse_date_dutch_months(text: str, expected: date) -> None:
    from extraction.normalize import parse_date
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("DE75123456780000001234", True),      # right length and format, check digits wrong
    ("NL58RABO0198723202", True),          # valid
    ("DE67100483927221", False),           # cut short
    ("US1234567890", False), ("XX12", False), (None, False),
])
def test_iban_shape_ok(text: object, expected: bool) -> None:
    from extraction.normalize import iban_shape_ok
    assert iban_shape_ok(text) is expected  # type: ignore[arg-type]


def test_split_modules_share_the_public_functions() -> None:
    from extraction import normalize, normalize_dates, normalize_ids
    assert normalize.parse_date is normalize_dates.parse_date
    assert normalize.normalize_currency is normalize_ids.normalize_currency
