"""Tasks of the Globex Supplier Hub recipe: `record_invoice` (header with a typed
MM/DD/YYYY date and XHR currency list, then lines grown with "add line") and
`report_remittance` (header with a calendar date, then paid invoices in an iframe).
Each searches the portal for the business key before it submits."""
from __future__ import annotations

from bots.errors import PortalBusinessError
from bots.recipes import TaskContext, key_field
from bots.recipes.globex.pages import (ConfirmationPage, InvoiceHeaderPage, InvoiceLinesPage,
                                       InvoicesPage, LoginPage, PaymentHeaderPage,
                                       PaymentLinesPage, PaymentsPage)
from bots.registry import PortalConfig, Recipe, Task, register


def login(ctx: TaskContext, cfg: PortalConfig) -> None:
    LoginPage(ctx).login(cfg.user, cfg.password)


def find_invoice(ctx: TaskContext) -> str | None:
    return InvoicesPage(ctx).find(ctx.key)


def record_invoice(ctx: TaskContext) -> str:
    if not ctx.value("issue_date") or not ctx.value("po_number"):
        raise PortalBusinessError("the invoice needs an issue date and a PO number")
    header = InvoiceHeaderPage(ctx)
    header.fill_header(ctx.snapshot, ctx.key)
    header.next_step()
    lines = InvoiceLinesPage(ctx)
    lines.fill_lines(ctx.lines())
    ctx.final_submit(lines, lines.submit_button())
    return ConfirmationPage(ctx).number()


def find_payment(ctx: TaskContext) -> str | None:
    return PaymentsPage(ctx).find(ctx.key)


def report_remittance(ctx: TaskContext) -> str:
    if not ctx.value("payment_date"):
        raise PortalBusinessError("the remittance has no payment date")
    header = PaymentHeaderPage(ctx)
    header.fill_header(ctx.key)
    header.next_step()
    lines = PaymentLinesPage(ctx)
    lines.fill_lines(ctx.lines())
    ctx.final_submit(lines, lines.submit_button())
    return ConfirmationPage(ctx).number()


RECIPE = register(Recipe(
    name="globex", title="Globex Supplier Hub", login=login,
    default_url="http://127.0.0.1:8780/globex",
    tasks={
        "record_invoice": Task("record_invoice", ("invoice",), key_field("invoice_number"),
                               find_invoice, record_invoice),
        "report_remittance": Task("report_remittance", ("remittance",),
                                  key_field("payment_reference"), find_payment,
                                  report_remittance),
    },
))
