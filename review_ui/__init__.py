"""Review UI: the FastAPI web app served by `o2c run` - health check, REST API for
documents and uploads, and the reviewers' pages (queue, document, history)."""
