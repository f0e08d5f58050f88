"""CSRF, body size limits, rate limits, hashing and tokens."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.web.conftest import csrf_of
from tests.web.fixtures import trials
from trialmatch.web.app import create_app
from trialmatch.web.security import RateLimiter, hash_secret, new_token, verify_secret


def test_csrf_cookie_flags(client: TestClient) -> None:
    r = client.get("/")
    cookie = r.headers["set-cookie"]
    assert "tm_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_forms_need_csrf(client: TestClient) -> None:
    client.get("/")
    data = {"name": "A", "email": "a@example.org"}
    assert client.post("/trials/NCT07077551/contact", data=data).status_code == 403
    data["csrf_token"] = "forged-token-forged-token"
    assert client.post("/trials/NCT07077551/contact", data=data).status_code == 403
    for url in ("/notes", "/notes/share", "/alerts", "/match", "/trials/NCT07077551/eligibility"):
        assert client.post(url, data={"x": "1"}).status_code == 403, url


def test_request_size_limit(client: TestClient) -> None:
    big = b"x" * (6 * 1024 * 1024)
    r = client.post("/api/match", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_form_rate_limit(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'w.db'}", trials=trials(), rate_limits={"form": (0.0001, 3.0)})
    with TestClient(app) as c:
        token = csrf_of(c.get("/trials/NCT07077551").text)
        codes = [
            c.post(
                "/trials/NCT07077551/contact",
                data={"csrf_token": token, "name": "A", "email": "a@example.org"},
            ).status_code
            for _ in range(5)
        ]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_rate_limiter_buckets() -> None:
    rl = RateLimiter({"x": (0.0, 2.0)})
    assert rl.allow("x", "1.2.3.4") and rl.allow("x", "1.2.3.4")
    assert not rl.allow("x", "1.2.3.4")
    assert rl.allow("x", "5.6.7.8")  # per client


def test_hashing_and_tokens() -> None:
    h = hash_secret("passcode-1")
    assert h.startswith("scrypt$") and "passcode-1" not in h
    assert verify_secret("passcode-1", h) and not verify_secret("passcode-2", h)
    assert not verify_secret("x", "garbage")
    assert hash_secret("passcode-1") != h  # salted
    t = new_token()
    assert len(t) >= 43 and t != new_token()


def test_no_patient_data_in_logs(client: TestClient, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level("DEBUG")
    client.post("/api/match", json={"patient": {"age": 50, "notes": "SECRET-DIAGNOSIS-XYZ"}})
    token = csrf_of(client.get("/match").text)
    client.post("/match", data={"csrf_token": token, "note": "SECRET-NOTE-XYZ has ECOG 1"})
    assert "SECRET-DIAGNOSIS-XYZ" not in caplog.text and "SECRET-NOTE-XYZ" not in caplog.text


def test_internal_errors_are_logged_without_details(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    app = create_app(f"sqlite:///{tmp_path / 'w.db'}", trials=trials())

    def boom(*_a: object, **_k: object) -> None:
        raise ValueError("SECRET-PATIENT-VALUE 42")

    app.state.backend.match = boom
    caplog.set_level("DEBUG")
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/api/match", json={"patient": {"age": 50}, "trial_ids": ["NCT07077551"]})
        assert r.status_code == 500 and r.json() == {"detail": "internal error"}
        assert "content-security-policy" in r.headers
    assert "SECRET-PATIENT-VALUE" not in caplog.text and "ValueError" in caplog.text
