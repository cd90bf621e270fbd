"""Arithmetic checks: quantity x unit price = line total, lines sum to the net total,
net + tax = gross within rounding, and the tax rate(s) plausible for the seller's country.

Tolerances come from the routing rules (``amount_abs``, ``line_pct``, ``line_abs``,
``tax_rate_abs``).  The seller's country is taken from the VAT ID prefix, else from the
matched partner's master data.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from validation.result import dec

if TYPE_CHECKING:
    from validation.checks import Ctx

# Standard and reduced VAT rates (percent) per country; 0 (exempt, reverse charge,
# intra-community supply) is always accepted.
VAT_RATES: dict[str, tuple[str, ...]] = {
    "AT": ("20", "10", "13"), "BE": ("21", "6", "12"), "BG": ("20", "9"),
    "HR": ("25", "5", "13"), "CY": ("19", "5", "9"), "CZ": ("21", "12", "15", "10"),
    "DK": ("25",), "EE": ("22", "20", "9"), "FI": ("25.5", "24", "14", "10"),
    "FR": ("20", "5.5", "10", "2.1"), "DE": ("19", "7"), "GR": ("24", "6", "13"),
    "HU": ("27", "5", "18"), "IE": ("23", "9", "13.5", "4.8"), "IT": ("22", "4", "5", "10"),
    "LV": ("21", "12", "5"), "LT": ("21", "5", "9"), "LU": ("17", "8", "14", "3", "16"),
    "MT": ("18", "5", "7"), "NL": ("21", "9"), "PL": ("23", "5", "8"),
    "PT": ("23", "6", "13"), "RO": ("19", "5", "9", "21", "11"),
    "SK": ("20", "10", "23", "19", "5"), "SI": ("22", "5", "9.5"), "ES": ("21", "4", "10"),
    "SE": ("25", "6", "12"), "GB": ("20", "5"), "CH": ("8.1", "2.6", "3.8", "7.7", "2.5", "3.7"),
    "NO": ("25", "12", "15"),
}
_VAT_PREFIX = {"EL": "GR", "XI": "GB"}
CENT = Decimal("0.01")


def money(v: Decimal) -> Decimal:
    return v.quantize(CENT, rounding=ROUND_HALF_UP)


def seller_country(ctx: Ctx) -> str | None:
    """ISO country of the seller: VAT ID prefix, else the matched partner's country."""
    vat = (ctx.value("seller_vat_id") or "").replace(" ", "").upper()
    if len(vat) > 2 and vat[:2].isalpha():
        return _VAT_PREFIX.get(vat[:2], vat[:2])
    m = ctx.partner
    if m is not None and ctx.repo is not None:
        from validation.matching import partner_facts
        p = partner_facts(ctx.repo, "supplier", m.partner_id)
        return p.country if p is not None else None
    return None


def check_lines(ctx: Ctx) -> None:
    """``arithmetic.line`` for each line whose quantity x price differs from its total."""
    rs = ctx.ruleset
    pct, absolute = rs.tol("line_pct") / 100, rs.tol("line_abs")
    for i, line in enumerate(ctx.lines(), 1):
        q, p, t = (dec(line.get(k)) for k in ("quantity", "unit_price", "line_total"))
        if q is None or p is None or t is None:
            continue
        if abs(q * p - t) > max(absolute, abs(t) * pct):
            ctx.result.add("arithmetic.line", False,
                           f"line {i}: {q} x {p} = {money(q * p)}, but the line total says {t}",
                           [f"lines[{i}].line_total", f"lines[{i}].quantity",
                            f"lines[{i}].unit_price"])


def check_totals(ctx: Ctx) -> None:
    """``arithmetic.net_tax_gross`` and ``arithmetic.lines_net``."""
    tol = ctx.ruleset.tol("amount_abs")
    net, tax, gross = ctx.amount("total_net"), ctx.amount("total_tax"), ctx.amount("total_gross")
    if net is not None and tax is not None and gross is not None:
        ok = abs(net + tax - gross) <= tol
        ctx.result.add("arithmetic.net_tax_gross", ok,
                       f"net {net} + tax {tax} = gross {gross}" if ok else
                       f"net {net} + tax {tax} = {net + tax}, but the gross total says {gross}",
                       ["total_net", "total_tax", "total_gross"])
    elif net is not None and gross is not None and ctx.doc_type != "purchase_order" \
            and gross < net - tol:
        ctx.result.add("arithmetic.net_tax_gross", False,
                       f"the gross total {gross} is smaller than the net total {net}",
                       ["total_net", "total_gross"])
    totals = [dec(line.get("line_total")) for line in ctx.lines()]
    if net is not None and totals and all(t is not None for t in totals):
        s = sum(totals, Decimal(0))    # type: ignore[arg-type]
        ok = abs(s - net) <= max(tol, abs(net) * Decimal("0.0001"))
        ctx.result.add("arithmetic.lines_net", ok,
                       f"{len(totals)} lines sum to the net total {net}" if ok else
                       f"the {len(totals)} lines sum to {s}, but the net total says {net}",
                       ["total_net"])
    due = ctx.amount("amount_due")
    if due is not None and gross is not None and due > gross + tol:
        ctx.result.add("arithmetic.amount_due", False,
                       f"amount due {due} is larger than the gross total {gross}",
                       ["amount_due", "total_gross"])


def _near(rate: Decimal, allowed: list[Decimal], tol: Decimal) -> bool:
    return any(abs(rate - a) <= tol for a in allowed)


def check_tax_rates(ctx: Ctx) -> None:
    """``tax.rate`` (a line rate or the effective rate is not a VAT rate of the seller's
    country), ``tax.amount`` (tax differs from the rates applied to the net)."""
    if ctx.doc_type not in ("invoice", "credit_note"):
        return
    country = seller_country(ctx)
    net, tax = ctx.amount("total_net"), ctx.amount("total_tax")
    if country is None or country not in VAT_RATES:
        if tax is not None:
            ctx.result.add("tax.rate_unknown_country", True,
                           f"no VAT rate table for seller country {country or 'unknown'}; "
                           "tax rate not checked", ["total_tax"], blocking=False)
        return
    allowed = [Decimal(r) for r in VAT_RATES[country]] + [Decimal(0)]
    tol_pts = ctx.ruleset.tol("tax_rate_abs")
    by_rate: dict[Decimal, Decimal] = {}
    bad: list[str] = []
    for i, line in enumerate(ctx.lines(), 1):
        r = dec(line.get("tax_rate"))
        if r is None:
            continue
        if not _near(r, allowed, Decimal("0.01")):
            bad.append(f"line {i}: {r}%")
        t = dec(line.get("line_total"))
        if t is not None:
            by_rate[r] = by_rate.get(r, Decimal(0)) + t
    rates_txt = "/".join(VAT_RATES[country])
    if bad:
        ctx.result.add("tax.rate", False, f"tax rate not a {country} VAT rate ({rates_txt}): "
                       + ", ".join(bad[:5]), [f"lines[{b.split(':')[0][5:]}].tax_rate"
                                              for b in bad[:5]])
        return
    if net is None or tax is None or net == 0:
        return
    tol = ctx.ruleset.tol("amount_abs")
    if by_rate and abs(sum(by_rate.values(), Decimal(0)) - net) <= tol:
        expected = sum((money(n * r / 100) for r, n in by_rate.items()), Decimal(0))
        ok = abs(expected - tax) <= tol * max(1, len(by_rate))
        ctx.result.add("tax.amount", ok,
                       f"tax {tax} matches the line rates" if ok else
                       f"tax {tax} differs from {expected} computed from the line rates "
                       f"({', '.join(f'{r}% on {n}' for r, n in by_rate.items())})",
                       ["total_tax"], data={"country": country})
        return
    eff = (tax / net * 100).quantize(Decimal("0.01"))
    ok = _near(eff, allowed, tol_pts) or len(allowed) > 2 and min(allowed[:-1]) <= eff <= max(
        allowed[:-1])
    ctx.result.add("tax.rate", ok,
                   f"effective tax rate {eff}% is plausible for {country}" if ok else
                   f"effective tax rate {eff}% (tax {tax} on net {net}) is not a {country} VAT "
                   f"rate ({rates_txt})", ["total_tax"], data={"country": country,
                                                                "effective_rate": str(eff)})


ARITH_CHECKS: list[Any] = [check_lines, check_totals, check_tax_rates]
