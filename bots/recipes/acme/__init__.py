"""Recipe for the ACME Buyer Portal (customer procurement portal): confirm purchase orders
and upload our invoices."""
