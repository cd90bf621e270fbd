"""Recipe for the Globex Supplier Hub: record received invoices against their purchase
orders and report payments (remittances) against their invoices."""
