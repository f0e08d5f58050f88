"""Saved searches and alerts. ``save_search`` stores a SearchQuery (and optionally a patient
profile) for a subscriber; ``run_alerts`` finds, per saved search, the trials that are new, newly
recruiting, or changed in status or criteria since that search's last run (the Store's version
history, ``Store.changes_since``) and match the search, and writes ONE message per subscriber:
an ``.eml`` file in the outbox folder (stdlib ``email``), or through SMTP when given.
Every message carries an unsubscribe link (``List-Unsubscribe`` header too)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from trialmatch.search.query import SearchQuery
from trialmatch.store.connection import as_aware_utc, as_naive_utc

__all__ = [
    "AlertDigest",
    "SavedSearch",
    "SmtpConfig",
    "list_saved_searches",
    "run_alerts",
    "save_search",
    "unsubscribe",
]

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
_EMAIL = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]{1,255}$")


@dataclass
class SavedSearch:
    id: str
    email: str | None
    query: SearchQuery
    unsubscribe_token: str
    name: str | None = None
    patient: dict[str, Any] | None = None
    active: bool = True
    created_at: dt.datetime | None = None
    last_run_at: dt.datetime | None = None


@dataclass
class SmtpConfig:
    host: str
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    sender: str = "TrialMatch alerts <alerts@trialmatch.invalid>"


@dataclass
class AlertDigest:
    """What one run told one subscriber (one message; ``saved_search_id`` is the first search)."""

    saved_search_id: str
    email: str | None
    items: list[dict[str, Any]] = field(default_factory=list)
    path: str | None = None  # the .eml written
    sent_smtp: bool = False
    saved_search_ids: list[str] = field(default_factory=list)  # every saved search in the message


def _store(db_or_store: Any) -> Any:
    if isinstance(db_or_store, str):
        from trialmatch.store import Store

        return Store(db_or_store if "://" in db_or_store else f"sqlite:///{db_or_store}")
    return db_or_store


def _query_from(
    query: SearchQuery | str | dict[str, Any] | None, filters: dict[str, Any] | None
) -> SearchQuery:
    if isinstance(query, SearchQuery):
        return query
    data: dict[str, Any] = dict(query) if isinstance(query, dict) else {"q": query or ""}
    for k, v in (filters or {}).items():
        if v in (None, "", []) or k == "limit":
            continue
        if k == "status" and isinstance(v, str) and v.lower() == "open":
            v = ["RECRUITING", "NOT_YET_RECRUITING"]
        data[k] = v
    allowed = set(SearchQuery.model_fields)
    return SearchQuery.model_validate({k: v for k, v in data.items() if k in allowed})


def save_search(
    db_or_store: Any,
    query: SearchQuery | str | dict[str, Any] | None = None,
    *,
    email: str | None = None,
    filters: dict[str, Any] | None = None,
    patient: dict[str, Any] | None = None,
    name: str | None = None,
    now: dt.datetime | None = None,
) -> SavedSearch:
    """Save a search for ``email`` (validated). ``query`` is a SearchQuery, its JSON dict or a text
    query plus ``filters``. Returns the saved search with its unsubscribe token."""
    from trialmatch.store.search_tables import SavedSearchRow

    if email is not None and not _EMAIL.match(email.strip()):
        raise ValueError(f"not an e-mail address: {email!r}")
    q = _query_from(query, filters)
    store = _store(db_or_store)
    store.create_tables()
    saved = SavedSearch(
        id=secrets.token_hex(8),
        email=email.strip() if email else None,
        query=q,
        unsubscribe_token=secrets.token_urlsafe(24),
        name=name,
        patient=patient,
        created_at=as_aware_utc(now or dt.datetime.now(dt.UTC)),
    )
    with store.session() as s:
        s.add(
            SavedSearchRow(
                id=saved.id,
                name=name,
                email=saved.email,
                query_json=q.model_dump_json(),
                patient_json=json.dumps(patient) if patient is not None else None,
                unsubscribe_token=saved.unsubscribe_token,
                active=True,
                created_at=as_naive_utc(saved.created_at or dt.datetime.now(dt.UTC)),
                last_run_at=None,
            )
        )
    return saved


def _from_row(r: Any) -> SavedSearch:
    return SavedSearch(
        id=r.id,
        email=r.email,
        query=SearchQuery.model_validate_json(r.query_json),
        unsubscribe_token=r.unsubscribe_token,
        name=r.name,
        patient=json.loads(r.patient_json) if r.patient_json else None,
        active=bool(r.active),
        created_at=as_aware_utc(r.created_at) if r.created_at else None,
        last_run_at=as_aware_utc(r.last_run_at) if r.last_run_at else None,
    )


def list_saved_searches(db_or_store: Any, active_only: bool = True) -> list[SavedSearch]:
    from sqlalchemy import select

    from trialmatch.store.search_tables import SavedSearchRow

    store = _store(db_or_store)
    with store.session() as s:
        q = select(SavedSearchRow).order_by(SavedSearchRow.created_at)
        if active_only:
            q = q.where(SavedSearchRow.active.is_(True))
        return [_from_row(r) for r in s.scalars(q)]


def unsubscribe(db_or_store: Any, token: str) -> bool:
    """Deactivate the saved search with this token. True when one was found."""
    from sqlalchemy import select

    from trialmatch.store.search_tables import SavedSearchRow

    store = _store(db_or_store)
    with store.session() as s:
        row = s.scalars(select(SavedSearchRow).where(SavedSearchRow.unsubscribe_token == token[:100])).first()
        if row is None:
            return False
        row.active = False
        return True


def _describe(kinds: set[str], old: str | None, new: str | None, is_new: bool) -> str:
    if is_new:
        return "new trial"
    parts = []
    if "status" in kinds:
        if new == "RECRUITING":
            parts.append("now recruiting" + (f" (was {old})" if old else ""))
        else:
            parts.append(f"status changed from {old or 'unknown'} to {new or 'unknown'}")
    if "criteria" in kinds:
        parts.append("eligibility criteria changed")
    return "; ".join(parts) or "updated"


def _items_for(
    store: Any, idx: Any, saved: SavedSearch, since: dt.datetime, now: dt.datetime
) -> list[dict[str, Any]]:
    from trialmatch.search.engine import search_ids

    changes = [c for c in store.changes_since(since) if c.kind in ("new", "status", "criteria")]
    if not changes:
        return []
    by_trial: dict[str, dict[str, Any]] = {}
    for c in changes:
        e = by_trial.setdefault(c.trial_id, {"kinds": set(), "old": None, "new": None})
        e["kinds"].add(c.kind)
        if c.kind == "status":
            e["old"] = e["old"] or c.old_status
            e["new"] = c.new_status
    any_status = SearchQuery.model_validate(saved.query.model_dump() | {"status": ["any"], "limit": 1000})
    matching = set(search_ids(idx, any_status))
    wanted = set(saved.query.status)
    items: list[dict[str, Any]] = []
    for tid, e in sorted(by_trial.items()):
        if tid not in matching:
            continue
        trial = store.get_trial(tid)
        if trial is None:
            continue
        status = (trial.overall_status or "").upper()
        is_new = "new" in e["kinds"]
        # new or criteria-changed trials matter when they are in the statuses searched for; a status
        # change matters when the trial enters or leaves them
        relevant = status in wanted or ("status" in e["kinds"] and (e["old"] or "") in wanted)
        if not relevant:
            continue
        item = {
            "trial_id": tid,
            "title": trial.title,
            "status": status,
            "change": _describe(e["kinds"], e["old"], e["new"], is_new),
        }
        if saved.patient is not None:
            item["verdict"] = _verdict(saved.patient, trial, now.date())
        items.append(item)
    return items


def _verdict(patient: dict[str, Any], trial: Any, as_of: dt.date) -> str | None:
    """The matcher's verdict for the saved patient, when the matcher is installed (best effort)."""
    try:
        from trialmatch.criteria import trial_criteria  # type: ignore[attr-defined]
        from trialmatch.matching.match import match_patient
        from trialmatch.patients.model import Patient

        report = match_patient(
            Patient.model_validate(patient), [(trial, trial_criteria(trial))], as_of, include_ineligible=True
        )
        results = getattr(report, "results", None) or []
        return str(getattr(results[0], "verdict", "")) or None if results else None
    except Exception:
        return None


def _label(saved: SavedSearch) -> str:
    return saved.name or saved.query.q or saved.query.condition or "your saved search"


def _message(
    email_to: str | None,
    groups: list[tuple[SavedSearch, list[dict[str, Any]]]],
    now: dt.datetime,
    base_url: str,
    sender: str,
) -> EmailMessage:
    """One message for one subscriber: a section per saved search, each with its unsubscribe link."""
    base = base_url.rstrip("/")
    links = [f"{base}/alerts/unsubscribe/{saved.unsubscribe_token}" for saved, _ in groups]
    total = sum(len(items) for _, items in groups)
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = email_to or "undisclosed-recipients:;"
    what = f'"{_label(groups[0][0])[:60]}"' if len(groups) == 1 else f"{len(groups)} saved searches"
    msg["Subject"] = f"TrialMatch: {total} trial update{'s' if total != 1 else ''} for {what}"
    msg["Date"] = format_datetime(as_aware_utc(now))
    msg["Message-ID"] = make_msgid(domain="trialmatch.invalid")
    msg["List-Unsubscribe"] = ", ".join(f"<{link}>" for link in links)
    lines: list[str] = []
    for (saved, items), link in zip(groups, links, strict=True):
        lines += [f'Updates to trials matching "{_label(saved)}":', ""]
        for it in items:
            lines.append(f"* {it['trial_id']}: {it.get('title') or '(no title)'}")
            lines.append(f"  {it['change']} - status now {it['status']}")
            if it.get("verdict"):
                lines.append(f"  For your saved profile: {it['verdict']}")
            lines.append(f"  {base}/trials/{it['trial_id']}")
            lines.append("")
        lines += [f"To stop alerts for this search, unsubscribe: {link}", ""]
    lines.append("Talk to your doctor before deciding about any trial.")
    msg.set_content("\n".join(lines))
    return msg


def run_alerts(
    store: Any,
    outbox_dir: str | Path | None = None,
    now: dt.datetime | None = None,
    smtp: SmtpConfig | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> list[AlertDigest]:
    """Run every active saved search and write ONE message per subscriber (e-mail address) that has
    updates. Each saved search's ``last_run_at`` moves to ``now`` (the next run reports only later
    changes). Returns one digest per message."""
    from trialmatch.search.engine import as_index
    from trialmatch.store.search_tables import AlertRunRow, SavedSearchRow

    store = _store(store)
    store.create_tables()
    now = as_aware_utc(now or dt.datetime.now(dt.UTC))
    outbox = Path(outbox_dir) if outbox_dir is not None else Path("outbox")
    idx = as_index(store)
    sender = smtp.sender if smtp else SmtpConfig(host="").sender
    per_subscriber: dict[str, list[tuple[SavedSearch, list[dict[str, Any]], dt.datetime]]] = {}
    for saved in list_saved_searches(store):
        since = saved.last_run_at or saved.created_at or now
        items = _items_for(store, idx, saved, since, now)
        per_subscriber.setdefault(saved.email or f"(no e-mail) {saved.id}", []).append((saved, items, since))
    digests: list[AlertDigest] = []
    for key, runs in per_subscriber.items():
        groups = [(saved, items) for saved, items, _ in runs if items]
        digest: AlertDigest | None = None
        if groups:
            first = groups[0][0]
            digest = AlertDigest(
                saved_search_id=first.id,
                email=first.email,
                items=[it | {"saved_search_id": sv.id} for sv, its in groups for it in its],
                saved_search_ids=[sv.id for sv, _ in groups],
            )
            msg = _message(first.email, groups, now, base_url, sender)
            if smtp is not None and smtp.host:
                _send(smtp, msg)
                digest.sent_smtp = True
            else:
                outbox.mkdir(parents=True, exist_ok=True)
                name = hashlib.sha256(key.encode()).hexdigest()[:12]
                path = outbox / f"{now.strftime('%Y%m%dT%H%M%SZ')}-{name}.eml"
                path.write_bytes(bytes(msg))
                digest.path = str(path)
            digests.append(digest)
        with store.session() as s:
            for saved, items, since in runs:
                row = s.get(SavedSearchRow, saved.id)
                if row is not None:
                    row.last_run_at = as_naive_utc(now)
                if items and digest is not None:
                    s.add(
                        AlertRunRow(
                            saved_search_id=saved.id,
                            ran_at=as_naive_utc(now),
                            since=as_naive_utc(since),
                            trial_count=len(items),
                            trial_ids=json.dumps([i["trial_id"] for i in items]),
                            delivered_to=digest.path or (f"smtp:{smtp.host}" if smtp else None),
                        )
                    )
    return digests


def _send(cfg: SmtpConfig, msg: EmailMessage) -> None:
    with smtplib.SMTP(cfg.host, cfg.port, timeout=30) as conn:
        if cfg.starttls:
            conn.starttls()
        if cfg.username:
            conn.login(cfg.username, cfg.password or "")
        conn.send_message(msg)
