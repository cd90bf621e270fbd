"""Route modules of the review UI: auth, queue, document, admin, api."""
