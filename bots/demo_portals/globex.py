"""Globex Supplier Hub: a supplier's portal where we record the invoices they sent us
against their purchase orders (header step with a typed-format date field and an XHR
currency list, then a lines step with an "add line" button) and report payments
(remittances) against their invoices (header step with a calendar date picker, then a
lines editor inside an iframe).  Business rules produce a visible ``#error`` message."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bots.demo_portals.acme import _paginate
from bots.demo_portals.app import CURRENCIES, PortalState

P = "globex"


def _num(v: Any) -> float:
    return float(str(v or "0").replace(",", ".") or 0)


def router(st: PortalState) -> APIRouter:
    r = APIRouter(prefix=f"/{P}")
    db = st.db

    def search(kind: str, template: str, request: Request, q: str, page: int) -> Response:
        sess = st.session(request, P)
        recs = [x for x in db.records(P, kind) if q.strip() in x["business_key"]]
        rows, page, pages = _paginate(recs, page, st.page_size)
        return st.render(request, P, template, sess=sess, rows=rows, q=q, page=page, pages=pages)

    @r.get("/invoices")
    def invoices(request: Request, q: str = "", page: int = 1) -> Response:
        return search("invoice", "globex_invoices.html", request, q, page)

    @r.get("/payments")
    def payments(request: Request, q: str = "", page: int = 1) -> Response:
        return search("payment", "globex_payments.html", request, q, page)

    # ---- record a received invoice -------------------------------------------------
    @r.get("/invoices/new")
    def invoice_new(request: Request) -> Response:
        sess = st.session(request, P)
        return st.render(request, P, "globex_invoice_header.html", sess=sess, error=None)

    @r.post("/invoices/new")
    async def invoice_new_post(request: Request) -> Response:
        sess = st.session(request, P)
        form = await request.form()
        st.check_csrf(sess, form)
        po_number = str(form.get("po_number", "")).strip()
        inv = str(form.get("invoice_number", "")).strip()
        po = db.po(P, po_number)
        err = None
        if po is None:
            err = f"Unknown purchase order {po_number}."
        elif po["status"] == "closed":
            err = f"Purchase order {po_number} is closed; no further invoices can be recorded."
        elif not inv:
            err = "Invoice number is required."
        elif str(form.get("currency", "")) not in CURRENCIES:
            err = "Please choose a currency."
        else:
            try:
                date.fromisoformat(str(form.get("issue_date", "")))
            except ValueError:
                err = "Issue date is missing or not in the format MM/DD/YYYY."
        if err:
            return st.render(request, P, "globex_invoice_header.html", sess=sess, error=err,
                             status=422)
        sess.drafts["invoice"] = {k: str(form.get(k, "")) for k in (
            "po_number", "invoice_number", "issue_date", "currency", "total_net", "total_tax",
            "total_gross")}
        return RedirectResponse(f"/{P}/invoices/new/lines", 303)

    @r.get("/invoices/new/lines")
    def invoice_lines(request: Request) -> Response:
        sess = st.session(request, P)
        draft = sess.drafts.get("invoice")
        if draft is None:
            return RedirectResponse(f"/{P}/invoices/new", 303)
        return st.render(request, P, "globex_invoice_lines.html", sess=sess, draft=draft,
                         error=None)

    @r.post("/invoices/new/lines")
    async def invoice_lines_post(request: Request) -> Response:
        sess = st.session(request, P)
        form = await request.form()
        st.check_csrf(sess, form)
        draft = sess.drafts.get("invoice")
        if draft is None:
            return RedirectResponse(f"/{P}/invoices/new", 303)
        skus = {ln["sku"] for ln in db.po_lines(P, draft["po_number"])}
        lines, err = [], None
        for sku, qty, price in zip(form.getlist("sku"), form.getlist("quantity"),
                                   form.getlist("unit_price")):
            sku = str(sku).strip()
            if not sku:
                continue
            if sku not in skus:
                err = err or f"Unknown item {sku} on purchase order {draft['po_number']}."
            lines.append({"sku": sku, "quantity": _num(qty), "unit_price": _num(price)})
        if err:
            return st.render(request, P, "globex_invoice_lines.html", sess=sess, draft=draft,
                             error=err, status=422)
        ref = db.add_record(P, "invoice", draft["invoice_number"], "GXI", json.dumps(draft),
                            json.dumps(lines), sess.user)
        sess.drafts.pop("invoice", None)
        return RedirectResponse(f"/{P}/invoices/done?ref={ref}", 303)

    @r.get("/invoices/done")
    def invoice_done(request: Request, ref: str) -> Response:
        return st.confirmation(request, P, ref, "Invoice registration")

    # ---- report a payment (remittance) ---------------------------------------------
    @r.get("/payments/new")
    def payment_new(request: Request) -> Response:
        sess = st.session(request, P)
        return st.render(request, P, "globex_payment_header.html", sess=sess, error=None)

    @r.post("/payments/new")
    async def payment_new_post(request: Request) -> Response:
        sess = st.session(request, P)
        form = await request.form()
        st.check_csrf(sess, form)
        err = None
        if not str(form.get("payment_reference", "")).strip():
            err = "Payment reference is required."
        elif str(form.get("currency", "")) not in CURRENCIES:
            err = "Please choose a currency."
        else:
            try:
                date.fromisoformat(str(form.get("payment_date", "")))
            except ValueError:
                err = "Please pick the payment date in the calendar."
        if err:
            return st.render(request, P, "globex_payment_header.html", sess=sess, error=err,
                             status=422)
        sess.drafts["payment"] = {k: str(form.get(k, "")).strip() for k in (
            "payment_reference", "payment_date", "amount", "currency")}
        return RedirectResponse(f"/{P}/payments/new/lines", 303)

    @r.get("/payments/new/lines")
    def payment_lines(request: Request) -> Response:
        sess = st.session(request, P)
        draft = sess.drafts.get("payment")
        if draft is None:
            return RedirectResponse(f"/{P}/payments/new", 303)
        return st.render(request, P, "globex_payment_lines.html", sess=sess, draft=draft,
                         error=None)

    @r.get("/payments/new/lines/frame")
    def payment_frame(request: Request) -> Response:
        sess = st.session(request, P)
        return st.render(request, P, "globex_payment_frame.html", sess=sess)

    @r.post("/payments/new/lines")
    async def payment_lines_post(request: Request) -> Response:
        sess = st.session(request, P)
        form = await request.form()
        st.check_csrf(sess, form)
        draft = sess.drafts.get("payment")
        if draft is None:
            return RedirectResponse(f"/{P}/payments/new", 303)
        known = {x["invoice_number"] for x in db.query(
            "SELECT invoice_number FROM open_items WHERE portal=?", P)}
        known |= {x["business_key"] for x in db.records(P, "invoice")}
        lines, err = [], None
        cols = [form.getlist(k) for k in ("invoice_number", "amount_paid", "discount",
                                          "deduction", "reason")]
        for inv, paid, disc, ded, reason in zip(*cols):
            inv = str(inv).strip()
            if not inv:
                continue
            if inv not in known:
                err = err or f"Unknown invoice {inv}: no open item with this number."
            lines.append({"invoice_number": inv, "amount_paid": _num(paid),
                          "discount": _num(disc), "deduction": _num(ded), "reason": str(reason)})
        if not lines and not err:
            err = "Please add at least one invoice."
        if err:
            return st.render(request, P, "globex_payment_lines.html", sess=sess, draft=draft,
                             error=err, status=422)
        ref = db.add_record(P, "payment", draft["payment_reference"], "PAY", json.dumps(draft),
                            json.dumps(lines), sess.user)
        sess.drafts.pop("payment", None)
        return RedirectResponse(f"/{P}/payments/done?ref={ref}", 303)

    @r.get("/payments/done")
    def payment_done(request: Request, ref: str) -> Response:
        return st.confirmation(request, P, ref, "Payment advice")

    return r
