"""The web app: health check, REST API (upload with token), pages."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from queues import broker as qbroker
from review_ui.app import create_app


def login(c: TestClient, rt, username: str = "rita", role: str = "reviewer") -> None:
    """Create an account and sign the client in (pages need a session)."""
    import re

    from review_ui.auth import add_user
    with rt.db.session() as s:
        add_user(s, username, "correct horse battery", role)
    form = c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    r = c.post("/login", data={"username": username, "password": "correct horse battery",
                               "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303


@pytest.fixture
def client(rt):
    qbroker.install(rt.settings)
    from queues import actors  # noqa: F401  (declares actors on the stub broker)
    rt.settings.api_token = "t0ken"
    c = TestClient(create_app(rt), headers={"Authorization": "Bearer t0ken"})
    login(c, rt)
    return c


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["broker"] == "memory"


def test_upload_lists_and_shows_a_document(client, corpora):
    pdf = corpora / "invoice2data" / "oyo.pdf"
    r = client.post("/api/documents", files={"file": ("oyo.pdf", pdf.read_bytes(), "application/pdf")})
    assert r.status_code == 201 and not r.json()["duplicate"]
    doc_id = r.json()["id"]
    again = client.post("/api/documents", files={"file": ("again.pdf", pdf.read_bytes(), "application/pdf")})
    assert again.json() == {"id": doc_id, "duplicate": True, "state": "received"}
    assert client.get("/api/documents").json()["documents"][0]["id"] == doc_id
    detail = client.get(f"/api/documents/{doc_id}").json()
    assert [e["action"] for e in detail["events"]] == ["received", "duplicate"]
    f = client.get(f"/api/documents/{doc_id}/file")
    assert f.status_code == 200 and f.content == pdf.read_bytes()
    assert client.get("/").status_code == 200
    assert client.get(f"/documents/{doc_id}").status_code == 200
    assert client.get("/search?q=oyo").status_code == 200


def test_unknown_document_is_404(client):
    r = client.get("/api/documents/999")
    assert r.status_code == 404 and r.json()["error"] == "not_found"


def test_upload_requires_the_token_when_configured(rt, corpora):
    rt.settings.api_token = "s3cret"
    qbroker.install(rt.settings)
    c = TestClient(create_app(rt))
    data = {"file": ("x.pdf", b"%PDF-1.4 x", "application/pdf")}
    assert c.post("/api/documents", files=data).status_code == 401
    ok = c.post("/api/documents", files=data, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 201


def test_file_names_with_markup_are_escaped(client):
    r = client.post("/api/documents",
                    files={"file": ("<img src=x onerror=alert(1)>.pdf", b"%PDF-1.4 y", "application/pdf")})
    doc_id = r.json()["id"]
    html = client.get(f"/documents/{doc_id}").text + client.get(f"/search?state=received").text
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;.pdf" in html
