from bots.targets import posting_target
from validation.masterdata import import_records


def _po(buyer: str) -> dict:
    return {"doc_type": "purchase_order",
            "fields": {"buyer_name": {"value": buyer, "confidence": 0.9}}}


def test_the_partners_portal_from_master_data(rt):
    with rt.db.session() as s:
        rep = import_records(s, "customers", [
            {"number": "C-1", "name": "Acme Einkauf GmbH", "country": "DE", "portal_recipe": "acme",
             "portal_account": "supplier-42"},
            {"number": "C-2", "name": "Nordwind Handel KG", "country": "DE"}])
        assert rep.ok, rep.summary()
    with rt.db.session() as s:
        t = posting_target(s, _po("ACME Einkauf GmbH"))
        assert t == {"portal": "acme", "account": "supplier-42", "partner": "C-1", "task": "confirm_po"}
        assert posting_target(s, _po("Nordwind Handel KG")) is None      # no portal
        assert posting_target(s, _po("Unknown Party Ltd")) is None        # no match
        assert posting_target(s, {"doc_type": "remittance", "fields": {}}) is None
