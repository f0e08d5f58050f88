"""Contact requests, the study-team page, alerts, private notes and shared links."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.conftest import TEAM, csrf_of
from tests.web.fixtures import trials
from trialmatch.store.web_tables import AlertSignup, ShareLink, TeamUser
from trialmatch.web.app import create_app
from trialmatch.web.routes_people import MAX_FAILED_PASSCODES


def _contact(client: TestClient, **extra: str) -> int:
    token = csrf_of(client.get("/trials/NCT07077551").text)
    data = {
        "csrf_token": token,
        "name": "Ann Patient",
        "email": "ann@example.org",
        "phone": "+44 1234",
        "language": "English",
        "message": '=HYPERLINK("x")',
        "site": "Second Affiliated Hospital",
    }
    data.update(extra)
    return client.post("/trials/NCT07077551/contact", data=data).status_code


def test_contact_request_and_count(client: TestClient) -> None:
    assert _contact(client) == 200
    assert "1 patient applied" in client.get("/trials/NCT07077551").text
    assert _contact(client, email="not an email") == 400
    assert _contact(client, name="") == 400


def test_team_page_needs_login_and_exports_csv(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'team.db'}", trials=trials(), team_users=TEAM)
    with TestClient(app) as client:
        _team_checks(client)
    with app.state.sessions() as s:
        row = s.scalars(select(TeamUser)).one()
    assert row.password_hash.startswith("scrypt$") and TEAM["coordinator"] not in row.password_hash


def _team_checks(client: TestClient) -> None:
    _contact(client)
    r = client.get("/team")
    assert r.status_code == 401 and "Basic" in r.headers["www-authenticate"]
    assert client.get("/team", auth=("coordinator", "wrong")).status_code == 401
    auth = ("coordinator", TEAM["coordinator"])
    r = client.get("/team", auth=auth)
    assert r.status_code == 200 and "Ann Patient" in r.text and "ann@example.org" in r.text
    r = client.get("/team/requests.csv", auth=auth)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "Ann Patient" in r.text and "'=HYPERLINK" in r.text  # formulas neutralised


def test_alert_signup_and_unsubscribe(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/alerts", params={"q": "neuroendocrine"})
    assert 'value="neuroendocrine"' in page.text
    r = client.post(
        "/alerts", data={"csrf_token": csrf_of(page.text), "q": "neuroendocrine", "email": "ann@example.org"}
    )
    assert r.status_code == 200 and "unsubscribe" in r.text
    link = r.text.split('id="unsubscribe-link"')[0].rsplit('href="', 1)[1].split('"')[0]
    path = link.split("testserver", 1)[-1]
    form = client.get(path)
    assert form.status_code == 200
    r = client.post(path, data={"csrf_token": csrf_of(form.text)})
    assert r.status_code == 200 and "Unsubscribed" in r.text
    with app.state.sessions() as s:
        row = s.scalars(select(AlertSignup)).one()
    assert row.active == 0 and row.email == "ann@example.org"
    assert (
        client.post("/alerts/unsubscribe/nonsense", data={"csrf_token": csrf_of(form.text)}).status_code
        == 404
    )


def _add_note(client: TestClient, text: str) -> None:
    page = client.get("/trials/NCT07077551").text
    r = client.post(
        "/notes",
        data={
            "csrf_token": csrf_of(page),
            "trial_id": "NCT07077551",
            "text": text,
            "quote": "ECOG PS score of 0 or 1.",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_notes_private_per_browser(app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as me, TestClient(app) as other:
        _add_note(me, "Ask about ECOG <b>bold</b>")
        cookie = me.cookies.get("tm_ws")
        assert cookie and len(cookie) >= 40
        assert "Ask about ECOG &lt;b&gt;" in me.get("/notes").text
        assert "Ask about ECOG" in me.get("/trials/NCT07077551").text
        assert "Ask about ECOG" not in other.get("/notes").text


def _share(client: TestClient, passcode: str = "secret-123", days: str = "7") -> str:
    page = client.get("/notes").text
    r = client.post("/notes/share", data={"csrf_token": csrf_of(page), "passcode": passcode, "days": days})
    assert r.status_code == 200
    return r.text.split('id="share-link">')[1].split("<")[0].split("testserver", 1)[-1]


def test_share_link_with_passcode(app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as me, TestClient(app) as friend:
        _add_note(me, "Shared thought")
        path = _share(me)
        token = path.rsplit("/", 1)[1]
        assert len(token) >= 40
        form = friend.get(path)
        assert form.status_code == 200 and "Shared thought" not in form.text
        r = friend.post(path, data={"csrf_token": csrf_of(form.text), "passcode": "wrong-one"})
        assert r.status_code == 403 and "Shared thought" not in r.text
        r = friend.post(path, data={"csrf_token": csrf_of(form.text), "passcode": "secret-123"})
        assert r.status_code == 200 and "Shared thought" in r.text
        with app.state.sessions() as s:
            row = s.scalars(select(ShareLink)).one()
        assert token not in row.token_digest and row.passcode_hash.startswith("scrypt$")


def test_wrong_passcodes_lock_the_link(app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as me, TestClient(app) as friend:
        _add_note(me, "x")
        path = _share(me)
        token = csrf_of(friend.get(path).text)
        codes = [
            friend.post(path, data={"csrf_token": token, "passcode": f"bad{i}"}).status_code
            for i in range(MAX_FAILED_PASSCODES + 1)
        ]
        assert codes[-1] == 429
        r = friend.post(path, data={"csrf_token": token, "passcode": "secret-123"})
        assert r.status_code == 429  # locked even with the right passcode


def test_revoked_and_expired_links(app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as me, TestClient(app) as friend:
        _add_note(me, "x")
        path = _share(me)
        notes = me.get("/notes").text
        link_id = notes.split('action="/notes/share/')[1].split("/")[0]
        r = me.post(
            f"/notes/share/{link_id}/revoke", data={"csrf_token": csrf_of(notes)}, follow_redirects=False
        )
        assert r.status_code == 303
        assert friend.get(path).status_code == 404
        path2 = _share(me)
        with app.state.sessions() as s:
            for row in s.scalars(select(ShareLink)):
                row.expires_at = dt.datetime(2000, 1, 1)
            s.commit()
        assert friend.get(path2).status_code == 404
        # someone else cannot revoke my links
        other = friend.get("/notes").text
        assert (
            friend.post(f"/notes/share/{link_id}/revoke", data={"csrf_token": csrf_of(other)}).status_code
            == 404
        )


def test_only_the_owner_deletes_a_note(app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as me, TestClient(app) as other:
        _add_note(me, "Mine to delete")
        page = me.get("/notes").text
        note_id = page.split('action="/notes/')[1].split("/")[0]
        theirs = other.get("/notes").text
        r = other.post(
            f"/notes/{note_id}/delete", data={"csrf_token": csrf_of(theirs)}, follow_redirects=False
        )
        assert r.status_code == 404 and "No such note" in r.text
        assert "Mine to delete" in me.get("/notes").text
        r = me.post(f"/notes/{note_id}/delete", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
        assert r.status_code == 303
        assert "Mine to delete" not in me.get("/notes").text
