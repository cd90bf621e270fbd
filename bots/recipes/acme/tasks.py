"""Tasks of the ACME Buyer Portal recipe: `confirm_po` (order acknowledgement: header with
currency and a calendar-picked delivery date, then lines in an iframe, optional invoice
attachment) and `upload_invoice`.  Each searches before it submits."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import FilePayload

from bots.errors import PortalBusinessError
from bots.recipes import TaskContext, key_field
from bots.recipes.acme.pages import (AckHeaderPage, AckLinesPage, ConfirmationPage,
                                     InvoicesPage, InvoiceUploadPage, LoginPage, OrdersPage)
from bots.registry import PortalConfig, Recipe, Task, register


def attachment(snapshot: dict[str, Any]) -> FilePayload | str:
    """The document's own file when known, else a small JSON rendering of it."""
    path = snapshot.get("stored_path")
    if path and Path(path).is_file():
        return str(path)
    body = json.dumps({"document": snapshot.get("id"), "file": snapshot.get("original_name"),
                       "sha256": snapshot.get("sha256")}).encode()
    return {"name": f"document-{snapshot.get('id')}.json", "mimeType": "application/json",
            "buffer": body}


def login(ctx: TaskContext, cfg: PortalConfig) -> None:
    LoginPage(ctx).login(cfg.user, cfg.password)


def find_ack(ctx: TaskContext) -> str | None:
    row = OrdersPage(ctx).find(ctx.key)
    if row and row.get("status") == "acknowledged" and row.get("ack_ref"):
        return str(row["ack_ref"])
    return None


def confirm_po(ctx: TaskContext) -> str:
    delivery = ctx.value("delivery_date")
    if not delivery:
        raise PortalBusinessError("the order has no delivery date to confirm")
    header = AckHeaderPage(ctx).open_for(ctx.key)
    header.fill_header(f"DOC-{ctx.snapshot.get('id')}", ctx.value("currency", "EUR"), delivery)
    header.next_step()
    lines_page = AckLinesPage(ctx)
    lines_page.fill_lines(ctx.lines(), attachment(ctx.snapshot) if ctx.snapshot.get(
        "stored_path") else None)
    ctx.final_submit(lines_page, lines_page.submit_button())
    return ConfirmationPage(ctx).number()


def find_upload(ctx: TaskContext) -> str | None:
    row = InvoicesPage(ctx).find(ctx.key)
    return str(row["ref"]) if row and row.get("ref") else None


def upload_invoice(ctx: TaskContext) -> str:
    page = InvoiceUploadPage(ctx)
    page.fill_form(ctx.value("po_number", ""), ctx.key, ctx.value("total_gross"),
                   ctx.value("currency", "EUR"), attachment(ctx.snapshot))
    ctx.final_submit(page, page.submit_button())
    return ConfirmationPage(ctx).number()


RECIPE = register(Recipe(
    name="acme", title="ACME Buyer Portal", login=login,
    default_url="http://127.0.0.1:8780/acme",
    tasks={
        "confirm_po": Task("confirm_po", ("purchase_order",), key_field("po_number"), find_ack,
                           confirm_po),
        "upload_invoice": Task("upload_invoice", ("invoice",), key_field("invoice_number"),
                               find_upload, upload_invoice),
    },
))
