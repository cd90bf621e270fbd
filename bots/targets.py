"""Which portal, if any, an approved document is keyed into: the partner's portal recipe
and account from master data.

A customer's purchase order is confirmed in that customer's procurement portal; a
supplier's invoice is recorded in that supplier's portal.  The target is decided when the
document is validated and stored with the validation result (``posting_target``), so the
posting stage and `o2c bots run` only read it."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

# document type -> (partner kind, field naming the partner, task)
ROLES: dict[str, tuple[str, str, str | None]] = {
    "purchase_order": ("customer", "buyer_name", "confirm_po"),
    "invoice": ("supplier", "seller_name", "record_invoice"),
    "credit_note": ("supplier", "seller_name", None),
}


def posting_target(session: Session, extraction: dict[str, Any], sender: str | None = None
                   ) -> dict[str, Any] | None:
    role = ROLES.get(extraction.get("doc_type") or "")
    if role is None:
        return None
    kind, name_field, task = role
    try:
        from validation.masterdata import MasterDataRepository
        from validation.party_match import match_party
    except ImportError:  # pragma: no cover - master data is part of the product
        return None
    fields = extraction.get("fields", {})

    def v(name: str) -> str | None:
        return (fields.get(name) or {}).get("value")

    prefix = "buyer" if kind == "customer" else "seller"
    repo = MasterDataRepository(session)
    match = match_party(repo, name=v(name_field), vat_id=v(f"{prefix}_vat_id"),
                        iban=v("seller_iban") if kind == "supplier" else None,
                        email=sender, kind=kind)
    if not match.matched or match.partner_id is None:
        return None
    partner = repo.partner_by_id(match.partner_id)
    if partner is None or not partner.portal_recipe:
        return None
    target: dict[str, Any] = {"portal": partner.portal_recipe, "account": partner.portal_account,
                              "partner": partner.number}
    if task:
        target["task"] = task
    return target
