"""Printing conventions: how a sender writes amounts, quantities, rates and dates.

Ground truth is always canonical (``"1234.50"``, ``"2024-12-25"``); a :class:`Style`
describes how one sender prints those values (``"1.234,50"``, ``"25.12.2024"``).  The
renderers use :func:`printed` so that tests can check each truth value against the text
layer of the rendered document.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

LANGS = ("en", "de", "fr")
NUMBER_STYLES = ("en", "de", "fr")          # 1,234.56 | 1.234,56 | 1 234,56
DATE_STYLES = ("dmy_dot", "dmy_slash", "mdy_slash", "d_mon_y", "mon_d_y")

_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "de": ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep.", "Okt.",
           "Nov.", "Dez."),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."),
}


@dataclass(frozen=True)
class Style:
    """How one sender prints values: language of labels, number and date conventions."""

    lang: str = "en"            # label language: en | de | fr
    numbers: str = "en"         # en | de | fr
    dates: str = "dmy_slash"    # one of DATE_STYLES
    layout: str = "classic"     # PDF / HTML layout name
    iban_grouped: bool = True   # print IBAN as "DE89 3704 ..." rather than compact


def money(value: Decimal | str | int | float) -> Decimal:
    """Round to cents, half-up (the commercial rounding used on invoices)."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def canon_amount(value: Decimal | str) -> str:
    """Canonical amount string: ``"1234.50"``."""
    return f"{money(value):.2f}"


def canon_decimal(value: Decimal | str) -> str:
    """Canonical normalised decimal: ``"2"``, ``"1.5"``, ``"7.25"`` (no exponent)."""
    d = Decimal(str(value)).normalize()
    text = f"{d:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _group(intpart: str, sep: str) -> str:
    out = []
    while len(intpart) > 3:
        out.insert(0, intpart[-3:])
        intpart = intpart[:-3]
    out.insert(0, intpart)
    return sep.join(out)


def fmt_number(canonical: str, style: str, grouping: bool = True) -> str:
    """Print a canonical decimal string (``"-1234.5"``) in a number style."""
    neg = canonical.startswith("-")
    body = canonical.lstrip("-")
    intpart, _, frac = body.partition(".")
    thousands, point = {"en": (",", "."), "de": (".", ","), "fr": (" ", ",")}[style]
    text = _group(intpart, thousands) if grouping else intpart
    if frac:
        text += point + frac
    return ("-" if neg else "") + text


def fmt_amount(value: Decimal | str, style: str) -> str:
    """``"1234.50"`` -> ``"1,234.50"`` / ``"1.234,50"`` / ``"1 234,50"``."""
    return fmt_number(canon_amount(value), style)


def fmt_qty(value: Decimal | str, style: str) -> str:
    """Quantities print without grouping and without trailing zeros: ``"1,5"``."""
    return fmt_number(canon_decimal(value), style, grouping=False)


def fmt_rate(value: Decimal | str, style: str) -> str:
    """Tax rate without percent sign: ``"19"``, ``"5,5"``."""
    return fmt_number(canon_decimal(value), style, grouping=False)


def fmt_date(value: dt.date | str, style: str, lang: str = "en") -> str:
    """Print a date; ``value`` may be a date or an ISO string."""
    d = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if style == "dmy_dot":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if style == "dmy_slash":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "mdy_slash":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    month = _MONTHS.get(lang, _MONTHS["en"])[d.month - 1]
    if style == "d_mon_y":
        return f"{d.day} {month} {d.year}" if lang != "de" else f"{d.day}. {month} {d.year}"
    if style == "mon_d_y":
        return f"{month} {d.day}, {d.year}"
    raise ValueError(f"unknown date style {style!r}")


def fmt_iban(iban: str, grouped: bool = True) -> str:
    """``"DE89370400440532013000"`` -> ``"DE89 3704 0044 0532 0130 00"``."""
    if not grouped:
        return iban
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def printed(name: str, value: str, style: Style) -> str:
    """The printed form of a canonical truth value for field ``name`` under ``style``.

    Used by the renderers (so that documents and truth never drift apart) and by tests.
    Address-like values are returned unchanged; they are printed line by line, the
    canonical value joins those lines with ``", "``.
    """
    if name in ("issue_date", "due_date", "order_date", "delivery_date", "payment_date"):
        return fmt_date(value, style.dates, style.lang)
    if name in ("total_net", "total_tax", "total_gross", "amount_due", "unit_price",
                "line_total", "payment_amount", "amount_paid", "discount", "deduction"):
        return fmt_amount(value, style.numbers)
    if name == "quantity":
        return fmt_qty(value, style.numbers)
    if name == "tax_rate":
        return fmt_rate(value, style.numbers)
    if name in ("seller_iban",):
        return fmt_iban(value, style.iban_grouped)
    return value
