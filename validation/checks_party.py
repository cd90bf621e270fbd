"""Party checks: is the document's partner known in master data, and do its VAT ID and
bank account agree with what we have on file?

Functions ``(ctx) -> None`` for `validation.checks.CHECKS` (register `PARTY_CHECKS`).  The
partner is the seller (a supplier) on invoices and credit notes, the buyer (a customer) on
purchase orders and the payer (a customer) on remittance advices.  The match is computed
once per validation run and kept on the context (`party_of(ctx)`); a successful match adds
the passing check ``partner.matched`` whose reason names the partner number and name.
"""
from __future__ import annotations

from typing import Any

from core.logs import get_logger
from extraction.normalize import iban_valid, normalize_iban, normalize_vat_id, vat_id_valid
from validation.masterdata.repository import MasterDataRepository
from validation.party_match import PartyMatch, match_party

log = get_logger(__name__)

# doc type -> (partner kind, field prefix)
ROLES: dict[str, tuple[str, str]] = {
    "invoice": ("supplier", "seller"), "credit_note": ("supplier", "seller"),
    "purchase_order": ("customer", "buyer"), "remittance": ("customer", "payer"),
}
_METHOD_TEXT = {"vat": "VAT ID", "iban": "IBAN", "email_domain": "sender e-mail domain",
                "name": "name", "name+address": "name and address"}
_ATTR = "_party_match"


def _sender(ctx: Any) -> str | None:
    s = getattr(ctx.doc, "sender", None)
    return s if s and "@" in s else None


def party_of(ctx: Any) -> PartyMatch | None:
    """The partner match for this document (None when there is nothing to match)."""
    if hasattr(ctx, _ATTR):
        return getattr(ctx, _ATTR)
    result: PartyMatch | None = None
    role = ROLES.get(ctx.doc_type)
    if role is not None and ctx.session is not None:
        kind, prefix = role
        result = match_party(MasterDataRepository(ctx.session), kind=kind,
                             name=ctx.value(f"{prefix}_name"),
                             address=ctx.value(f"{prefix}_address"),
                             vat_id=ctx.value(f"{prefix}_vat_id"),
                             iban=ctx.value(f"{prefix}_iban"), email=_sender(ctx))
    setattr(ctx, _ATTR, result)
    return result


def _searched(ctx: Any, prefix: str) -> str:
    parts = []
    for label, name in (("VAT ID", "vat_id"), ("IBAN", "iban"), ("name", "name"),
                        ("address", "address")):
        v = ctx.value(f"{prefix}_{name}")
        if v:
            parts.append(f"{label} {v!r}")
    if _sender(ctx):
        parts.append(f"sender {_sender(ctx)}")
    return ", ".join(parts) or "nothing (no name, VAT ID, IBAN or sender)"


def check_partner_known(ctx: Any) -> None:
    """``partner.matched`` (pass) / ``partner.unknown`` / ``partner.inactive``."""
    m = party_of(ctx)
    role = ROLES.get(ctx.doc_type)
    if m is None or role is None:
        return
    kind, prefix = role
    fields = [f"{prefix}_name"]
    if not m.matched and m.reason.startswith("no ") and "master data imported" in m.reason:
        ctx.result.add("partner.no_masterdata", False,
                       f"{m.reason}; the {prefix} could not be verified", fields, blocking=False)
        return
    if m.conflict:
        ctx.result.add("partner.conflict", False, f"{prefix} is ambiguous - {m.reason}",
                       fields + [f"{prefix}_vat_id", f"{prefix}_iban"])
        return
    if not m.matched:
        ctx.result.add("partner.unknown", False,
                       f"{prefix} is not a known {kind}: searched {_searched(ctx, prefix)} "
                       f"- {m.reason}", fields)
        return
    ctx.result.add("partner.matched", True,
                   f"matched {kind} {m.number} {m.name} by "
                   f"{_METHOD_TEXT.get(m.method, m.method)} (score {m.score:.2f})",
                   fields, blocking=False)
    log.debug("partner_matched", doc=getattr(ctx.doc, "id", None), kind=kind,
              partner=m.number, method=m.method)
    if not m.active:
        ctx.result.add("partner.inactive", False,
                       f"{kind} {m.number} {m.name} is blocked/inactive in master data",
                       fields)


def _party_field(ctx: Any, name: str) -> tuple[str, str, str, str] | None:
    """(partner kind, prefix, field, raw value) of the party's ``<prefix>_<name>`` field, or
    None when the document type names no party or the field is empty."""
    role = ROLES.get(ctx.doc_type)
    if role is None:
        return None
    kind, prefix = role
    field = f"{prefix}_{name}"
    raw = ctx.value(field)
    if not raw:
        return None
    return kind, prefix, field, raw


def check_vat_id(ctx: Any) -> None:
    """``partner.vat_invalid`` (checksum) and ``partner.vat_mismatch`` (not on file)."""
    found = _party_field(ctx, "vat_id")
    if found is None:
        return
    kind, prefix, field, raw = found
    vat = normalize_vat_id(raw)
    if vat is None or not vat_id_valid(vat):
        ctx.result.add("partner.vat_invalid", False,
                       f"{prefix} VAT ID {raw!r} is not a valid VAT ID (checksum fails)",
                       [field])
        return
    m = party_of(ctx)
    if m is None or not m.matched or ctx.session is None:
        return
    partner = MasterDataRepository(ctx.session).partner_by_id(m.partner_id or 0)
    on_file = normalize_vat_id(partner.vat_id or "") if partner else None
    if on_file and on_file != vat and on_file[2:] != vat and vat[2:] != on_file:
        ctx.result.add("partner.vat_mismatch", False,
                       f"{prefix} VAT ID {vat} differs from {on_file} on file for {kind} "
                       f"{m.number} {m.name}", [field])
    elif on_file:
        ctx.result.add("partner.vat_ok", True, f"{prefix} VAT ID {vat} matches master data",
                       [field], blocking=False)


def check_iban(ctx: Any) -> None:
    """``partner.iban_invalid``; on supplier invoices ``partner.iban_changed`` when the
    IBAN to pay is not one of the supplier's IBANs on file."""
    found = _party_field(ctx, "iban")
    if found is None:
        return
    kind, prefix, field, raw = found
    iban = normalize_iban(raw)
    if iban is None or not iban_valid(iban):
        ctx.result.add("partner.iban_invalid", False,
                       f"{prefix} IBAN {raw!r} is not a valid IBAN (checksum or format)", [field])
        return
    m = party_of(ctx)
    if ctx.doc_type != "invoice" or m is None or not m.matched or ctx.session is None:
        return
    partner = MasterDataRepository(ctx.session).partner_by_id(m.partner_id or 0)
    on_file = [normalize_iban(i) or i for i in (partner.ibans if partner else [])]
    if iban in on_file:
        ctx.result.add("partner.iban_ok", True, f"IBAN {iban} is on file for {kind} {m.number}",
                       [field], blocking=False)
        return
    known = ", ".join(on_file) if on_file else "none"
    ctx.result.add("partner.iban_changed", False,
                   f"invoice asks for payment to IBAN {iban}, which is not on file for {kind} "
                   f"{m.number} {m.name} (on file: {known}) - possible payment fraud: confirm "
                   f"the new bank details with the supplier by phone before paying", [field])


PARTY_CHECKS = [check_partner_known, check_vat_id, check_iban]

__all__ = ["PARTY_CHECKS", "ROLES", "check_iban", "check_partner_known", "check_vat_id",
           "party_of"]
