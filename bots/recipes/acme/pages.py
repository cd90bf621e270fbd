"""Page objects of the ACME Buyer Portal: one class per page, owning its locators."""
from __future__ import annotations

from typing import Any

from playwright.sync_api import FilePayload

from bots.errors import PortalBusinessError
from bots.recipes import BasePage, FormLoginPage, fmt_num


class LoginPage(FormLoginPage):
    portal_name = "ACME portal"

class OrdersPage(BasePage):
    path = "/orders"

    def find(self, po_number: str) -> dict[str, Any] | None:
        return self.search(po_number, "table#orders",
                           {"key": "td.po", "status": "td.status", "ack_ref": "td.ack-ref"})


class AckHeaderPage(BasePage):
    def open_for(self, po_number: str) -> AckHeaderPage:
        self.open(f"/orders/{po_number}/ack")
        return self

    def fill_header(self, supplier_ref: str, currency: str, delivery_date: str) -> None:
        self.fill("#supplier_ref", supplier_ref)
        self.select_xhr("#currency", currency)
        self.pick_calendar_date("delivery_date", delivery_date)

    def next_step(self) -> None:
        self.click_and_wait("#next-step")


class AckLinesPage(BasePage):
    """Step 2: the lines editor lives in an iframe whose form posts to the top page."""

    def fill_lines(self, lines: list[dict[str, Any]], attachment: FilePayload | str | None) -> None:
        frame = self.frame("#lines-frame")
        self.need("tr.line", frame)
        slots = frame.locator("tr.line").count()
        if len(lines) > slots:
            raise PortalBusinessError(f"the portal offers {slots} line slots but the document "
                                      f"has {len(lines)} lines")
        for i, ln in enumerate(lines, 1):
            self.fill(f"input[name='sku_{i}']", ln.get("sku"), frame)
            self.fill(f"input[name='qty_{i}']", fmt_num(ln.get("quantity")), frame)
        if attachment is not None:
            self.need("#invoice_file", frame).set_input_files(attachment)
        self._frame = frame

    def submit_button(self):  # noqa: ANN201 - Locator
        return self.need("#submit-ack", self._frame)


class InvoicesPage(BasePage):
    path = "/invoices"

    def find(self, invoice_number: str) -> dict[str, Any] | None:
        return self.search(invoice_number, "table#invoices", {"key": "td.key", "ref": "td.ref"})


class InvoiceUploadPage(BasePage):
    path = "/invoices/new"

    def fill_form(self, po_number: str, invoice_number: str, amount: Any, currency: str,
                  attachment: FilePayload | str) -> None:
        self.open()
        self.fill("#po_number", po_number)
        self.fill("#invoice_number", invoice_number)
        self.fill("#amount", fmt_num(amount))
        self.select_xhr("#currency", currency)
        self.need("#invoice_file").set_input_files(attachment)

    def submit_button(self):  # noqa: ANN201 - Locator
        return self.need("#upload-btn")


class ConfirmationPage(BasePage):
    def number(self) -> str:
        return self.need("#confirmation-number").inner_text().strip()
