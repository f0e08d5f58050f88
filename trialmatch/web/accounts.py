"""Study-team accounts: created from ``create_app(team_users=...)``, ``$TRIALMATCH_TEAM_USERS``
(``user:password[:NCT1|NCT2]`` entries separated by ``;``) or ``trialmatch serve --team-user``.
Passwords are stored as scrypt hashes; the team page uses HTTP Basic authentication."""

from __future__ import annotations

import base64
import os
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from trialmatch.store.web_tables import TeamUser
from trialmatch.web.security import hash_secret, verify_secret

__all__ = ["authenticate", "basic_credentials", "ensure_team_users", "parse_team_users"]


def parse_team_users(spec: str) -> dict[str, tuple[str, str]]:
    """``"alice:pw:NCT1|NCT2;bob:pw2"`` -> {user: (password, trial ids or "*")}."""
    out: dict[str, tuple[str, str]] = {}
    for entry in spec.split(";"):
        parts = entry.strip().split(":")
        if len(parts) < 2 or not parts[0] or not parts[1]:
            continue
        trials = ",".join(p.strip() for p in parts[2].split("|") if p.strip()) if len(parts) > 2 else "*"
        out[parts[0].strip()] = (parts[1], trials or "*")
    return out


def ensure_team_users(sessions: sessionmaker[Session], users: dict[str, str] | None = None) -> None:
    wanted: dict[str, tuple[str, str]] = {u: (pw, "*") for u, pw in (users or {}).items()}
    wanted.update(parse_team_users(os.environ.get("TRIALMATCH_TEAM_USERS", "")))
    if not wanted:
        return
    with sessions() as s:
        for name, (pw, trials) in wanted.items():
            row = s.scalars(select(TeamUser).where(TeamUser.username == name)).first()
            if row is not None and verify_secret(pw, row.password_hash) and row.trial_ids == trials:
                continue
            if row is None:
                row = TeamUser(username=name, password_hash="", trial_ids=trials)
                s.add(row)
            row.password_hash = hash_secret(pw)
            row.trial_ids = trials
        s.commit()


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip()[:1000], validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, sep, pw = raw.partition(":")
    return (user, pw) if sep else None


def authenticate(sessions: sessionmaker[Session], header: str | None) -> Any:
    """The TeamUser for a Basic ``Authorization`` header, else None."""
    creds = basic_credentials(header)
    if creds is None:
        return None
    with sessions() as s:
        row = s.scalars(select(TeamUser).where(TeamUser.username == creds[0][:100])).first()
        if row is None:
            hash_secret("dummy")  # same cost whether or not the user exists
            return None
        return row if verify_secret(creds[1], row.password_hash) else None
