"""Page objects of the Globex Supplier Hub: one class per page, owning its locators."""
from __future__ import annotations

from datetime import date
from typing import Any

from playwright.sync_api import FrameLocator, Locator, Page

from bots.errors import RecipeBroken
from bots.recipes import BasePage, FormLoginPage, fmt_num


class LoginPage(FormLoginPage):
    portal_name = "Globex portal"

class RecordsPage(BasePage):
    """The invoices or payments list (same layout, different path)."""

    def find(self, key: str) -> str | None:
        row = self.search(key, "table#records", {"key": "td.key", "ref": "td.ref"})
        return str(row["ref"]) if row and row.get("ref") else None


class InvoicesPage(RecordsPage):
    path = "/invoices"


class PaymentsPage(RecordsPage):
    path = "/payments"


def _fill_rows(page: BasePage, root: Page | FrameLocator, rows: list[dict[str, str]]) -> None:
    """Grow the line table with its "add line" button, then fill row by row."""
    body = page.need("#line-rows", root)
    for _ in range(len(rows) - body.locator("tr.line").count()):
        page.click("#add-line", root)
    for i, row in enumerate(rows, 1):
        for css, text in row.items():
            page.fill(f"#line-rows tr.line:nth-child({i}) {css}", text, root)


class InvoiceHeaderPage(BasePage):
    path = "/invoices/new"

    def fill_header(self, snap: dict[str, Any], key: str) -> None:
        v = self.ctx.value
        self.open()
        self.fill("#po_number", v("po_number", ""))
        self.fill("#invoice_number", key)
        issued = date.fromisoformat(str(v("issue_date"))[:10])
        self.fill("#issue_date_text", issued.strftime("%m/%d/%Y"))   # the portal's format
        if self.page.locator("#issue_date").input_value() != issued.isoformat():
            raise RecipeBroken("issue date field did not accept MM/DD/YYYY")
        self.select_xhr("#currency", v("currency", "EUR"))
        self.fill("#total_net", fmt_num(v("total_net")))
        self.fill("#total_tax", fmt_num(v("total_tax")))
        self.fill("#total_gross", fmt_num(v("total_gross")))

    def next_step(self) -> None:
        self.click_and_wait("#next-step")


class InvoiceLinesPage(BasePage):
    def fill_lines(self, lines: list[dict[str, Any]]) -> None:
        _fill_rows(self, self.page, [{"input.sku": str(ln.get("sku") or ""),
                                      "input.qty": fmt_num(ln.get("quantity")),
                                      "input.price": fmt_num(ln.get("unit_price"))}
                                     for ln in lines])

    def submit_button(self) -> Locator:
        return self.need("#submit-invoice")


class PaymentHeaderPage(BasePage):
    path = "/payments/new"

    def fill_header(self, key: str) -> None:
        v = self.ctx.value
        self.open()
        self.fill("#payment_reference", key)
        self.pick_calendar_date("payment_date", str(v("payment_date")))
        self.fill("#amount", fmt_num(v("payment_amount")))
        self.select_xhr("#currency", v("currency", "EUR"))

    def next_step(self) -> None:
        self.click_and_wait("#next-step")


class PaymentLinesPage(BasePage):
    """The paid-invoices editor lives in an iframe that posts to the top page."""

    def fill_lines(self, lines: list[dict[str, Any]]) -> None:
        self._frame = self.frame("#lines-frame")
        _fill_rows(self, self._frame, [{
            "input.inv": str(ln.get("invoice_number") or ""),
            "input.paid": fmt_num(ln.get("amount_paid")), "input.disc": fmt_num(ln.get("discount")),
            "input.ded": fmt_num(ln.get("deduction")),
            "input.reason": str(ln.get("deduction_reason") or "")} for ln in lines])

    def submit_button(self) -> Locator:
        return self.need("#submit-payment", self._frame)


class ConfirmationPage(BasePage):
    def number(self) -> str:
        return self.need("#confirmation-number").inner_text().strip()
