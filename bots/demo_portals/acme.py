"""ACME Buyer Portal: a customer's procurement portal where we, the supplier, acknowledge
their purchase orders (header step with an XHR currency list and a calendar date picker,
then a lines step inside an iframe with an optional invoice file upload) and upload our
invoices.  Searches are paginated; business rules produce a visible ``#error`` message."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from bots.demo_portals.app import CURRENCIES, PortalState

P = "acme"


def _paginate(rows: list[Any], page: int, size: int) -> tuple[list[Any], int, int]:
    pages = max(1, (len(rows) + size - 1) // size)
    page = min(max(1, page), pages)
    return rows[(page - 1) * size: page * size], page, pages


def router(st: PortalState) -> APIRouter:
    r = APIRouter(prefix=f"/{P}")
    db = st.db

    def po_error(po_number: str) -> str | None:
        po = db.po(P, po_number)
        if po is None:
            return f"Purchase order {po_number} does not exist."
        if po["status"] == "closed":
            return f"Purchase order {po_number} is closed and can no longer be acknowledged."
        return None

    @r.get("/orders")
    def orders(request: Request, q: str = "", page: int = 1) -> Response:
        sess = st.session(request, P)
        pos = db.query("SELECT * FROM pos WHERE portal=? AND po_number LIKE ? ORDER BY po_number",
                       P, f"%{q.strip()}%")
        rows = []
        for po in pos:
            acks = db.records(P, "ack", po["po_number"])
            rows.append({"po_number": po["po_number"], "partner": po["partner"],
                         "status": "acknowledged" if acks else po["status"],
                         "ack_ref": acks[-1]["reference"] if acks else ""})
        rows, page, pages = _paginate(rows, page, st.page_size)
        return st.render(request, P, "acme_orders.html", sess=sess, rows=rows, q=q, page=page,
                         pages=pages)

    @r.get("/orders/{po_number}/ack")
    def ack_header(request: Request, po_number: str) -> Response:
        sess = st.session(request, P)
        err = po_error(po_number)
        return st.render(request, P, "acme_ack_header.html", sess=sess, po_number=po_number,
                         error=err, status=404 if err else 200,
                         lines=[] if err else db.po_lines(P, po_number))

    @r.post("/orders/{po_number}/ack")
    async def ack_header_post(request: Request, po_number: str) -> Response:
        sess = st.session(request, P)
        form = await request.form()
        st.check_csrf(sess, form)
        err = po_error(po_number)
        cur, dd = str(form.get("currency", "")), str(form.get("delivery_date", ""))
        if not err and cur not in CURRENCIES:
            err = "Please choose a currency."
        if not err:
            try:
                date.fromisoformat(dd)
            except ValueError:
                err = "Please pick the confirmed delivery date in the calendar."
        if err:
            return st.render(request, P, "acme_ack_header.html", sess=sess, po_number=po_number,
                             error=err, status=422, lines=db.po_lines(P, po_number))
        sess.drafts[f"ack:{po_number}"] = {"supplier_ref": str(form.get("supplier_ref", "")),
                                           "currency": cur, "delivery_date": dd}
        return RedirectResponse(f"/{P}/orders/{po_number}/ack/lines", 303)

    @r.get("/orders/{po_number}/ack/lines")
    def ack_lines(request: Request, po_number: str) -> Response:
        sess = st.session(request, P)
        draft = sess.drafts.get(f"ack:{po_number}")
        if draft is None:
            return RedirectResponse(f"/{P}/orders/{po_number}/ack", 303)
        return st.render(request, P, "acme_ack_lines.html", sess=sess, po_number=po_number,
                         draft=draft, error=None)

    @r.get("/orders/{po_number}/ack/lines/frame")
    def ack_lines_frame(request: Request, po_number: str) -> Response:
        sess = st.session(request, P)
        lines = db.po_lines(P, po_number)
        return st.render(request, P, "acme_ack_frame.html", sess=sess, po_number=po_number,
                         lines=lines, rows=len(lines) + 2)

    @r.post("/orders/{po_number}/ack/lines")
    async def ack_lines_post(request: Request, po_number: str) -> Response:
        sess = st.session(request, P)
        form = await request.form()
        st.check_csrf(sess, form)
        draft = sess.drafts.get(f"ack:{po_number}")
        err = po_error(po_number)
        if draft is None and not err:
            err = "Your acknowledgement draft has expired. Please start again."
        po_lines = {ln["sku"]: ln for ln in db.po_lines(P, po_number)}
        lines = []
        for i in range(1, 200):
            sku = str(form.get(f"sku_{i}", "")).strip()
            if f"sku_{i}" not in form:
                break
            if not sku:
                continue
            try:
                qty = float(str(form.get(f"qty_{i}", "")).replace(",", "."))
            except ValueError:
                err = err or f"Line {i}: quantity is not a number."
                continue
            if sku not in po_lines:
                err = err or f"Unknown item {sku} on purchase order {po_number}."
            elif qty > po_lines[sku]["quantity"]:
                err = err or (f"Line {i}: confirmed quantity {qty:g} exceeds the ordered "
                              f"quantity {po_lines[sku]['quantity']:g} for {sku}.")
            lines.append({"sku": sku, "quantity": qty})
        if not lines and not err:
            err = "Please confirm at least one line."
        if err:
            return st.render(request, P, "acme_ack_lines.html", sess=sess, po_number=po_number,
                             draft=draft or {}, error=err, status=422)
        upload = form.get("invoice_file")
        att = None
        if isinstance(upload, UploadFile) and upload.filename:
            att = (upload.filename, len(await upload.read()))
        ref = db.add_record(P, "ack", po_number, "ACK", json.dumps(draft), json.dumps(lines),
                            sess.user, att)
        sess.drafts.pop(f"ack:{po_number}", None)
        return RedirectResponse(f"/{P}/orders/{po_number}/ack/done?ref={ref}", 303)

    @r.get("/orders/{po_number}/ack/done")
    def ack_done(request: Request, po_number: str, ref: str) -> Response:
        return st.confirmation(request, P, ref, f"Order acknowledgement for {po_number}")

    # ---- invoice upload ------------------------------------------------------------
    @r.get("/invoices")
    def invoices(request: Request, q: str = "", page: int = 1) -> Response:
        sess = st.session(request, P)
        recs = [x for x in db.records(P, "invoice_upload") if q.strip() in x["business_key"]]
        rows, page, pages = _paginate(recs, page, st.page_size)
        return st.render(request, P, "acme_invoices.html", sess=sess, rows=rows, q=q,
                         page=page, pages=pages)

    @r.get("/invoices/new")
    def invoice_new(request: Request) -> Response:
        sess = st.session(request, P)
        return st.render(request, P, "acme_invoice_new.html", sess=sess, error=None, form={})

    @r.post("/invoices/new")
    async def invoice_new_post(request: Request) -> Response:
        sess = st.session(request, P)
        form = await request.form()
        st.check_csrf(sess, form)
        po_number = str(form.get("po_number", "")).strip()
        inv = str(form.get("invoice_number", "")).strip()
        po = db.po(P, po_number)
        upload = form.get("invoice_file")
        err = None
        if po is None:
            err = f"Purchase order {po_number} does not exist."
        elif po["status"] == "closed":
            err = f"Purchase order {po_number} is closed; invoices cannot be uploaded."
        elif not inv:
            err = "Invoice number is required."
        elif not isinstance(upload, UploadFile) or not upload.filename:
            err = "Please attach the invoice file."
        elif str(form.get("currency", "")) not in CURRENCIES:
            err = "Please choose a currency."
        if err:
            return st.render(request, P, "acme_invoice_new.html", sess=sess, error=err,
                             form=dict(form), status=422)
        assert isinstance(upload, UploadFile)
        att = (upload.filename or "invoice", len(await upload.read()))
        header = {k: str(form.get(k, "")) for k in ("po_number", "invoice_number", "amount",
                                                    "currency")}
        ref = db.add_record(P, "invoice_upload", inv, "UP", json.dumps(header), "[]",
                            sess.user, att)
        return RedirectResponse(f"/{P}/invoices/done?ref={ref}", 303)

    @r.get("/invoices/done")
    def invoice_done(request: Request, ref: str) -> Response:
        return st.confirmation(request, P, ref, "Invoice upload")

    return r
