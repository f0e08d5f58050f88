"""Display helpers for templates: labels for registry codes, dates, timelines, badges."""

from __future__ import annotations

import datetime as dt
from typing import Any

from markupsafe import Markup, escape

from trialmatch.criteria.rules import render_rule
from trialmatch.records.model import OPEN_STATUSES, Trial

__all__ = [
    "CRITERION_TEXT",
    "FILTERS",
    "GLOBALS",
    "PHASE_CHOICES",
    "STATUS_CHOICES",
    "VERDICT_TEXT",
    "km",
    "label",
    "nice_date",
    "phase_label",
    "status_class",
    "timeline",
]

_SPECIAL = {
    "NA": "Not applicable",
    "PHASE1": "Phase 1",
    "PHASE2": "Phase 2",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
    "EARLY_PHASE1": "Early phase 1",
    "ALL": "All",
}

STATUS_CHOICES = [
    ("", "Any status"),
    ("open", "Open to patients"),
    ("RECRUITING", "Recruiting"),
    ("NOT_YET_RECRUITING", "Not yet recruiting"),
    ("ACTIVE_NOT_RECRUITING", "Active, not recruiting"),
    ("COMPLETED", "Completed"),
    ("TERMINATED", "Terminated"),
    ("WITHDRAWN", "Withdrawn"),
]
PHASE_CHOICES = [
    ("", "Any phase"),
    ("EARLY_PHASE1", "Early phase 1"),
    ("PHASE1", "Phase 1"),
    ("PHASE2", "Phase 2"),
    ("PHASE3", "Phase 3"),
    ("PHASE4", "Phase 4"),
    ("NA", "Not applicable"),
]
VERDICT_TEXT = {
    "eligible": "Likely eligible",
    "possibly_eligible": "Possibly eligible",
    "ineligible": "Not eligible",
}
CRITERION_TEXT = {
    "met": "Met",
    "not_met": "Not met",
    "unknown": "Not known yet",
    "not_applicable": "Does not apply",
}


def label(code: Any) -> str:
    """``RECRUITING`` -> ``Recruiting``; ``PHASE2`` -> ``Phase 2``; None -> ``Not stated``."""
    if code is None or code == "":
        return "Not stated"
    s = str(code)
    if s in _SPECIAL:
        return _SPECIAL[s]
    if s.isupper() or "_" in s:
        return s.replace("_", " ").capitalize()
    return s


def phase_label(phases: list[str]) -> str:
    return " / ".join(label(p) for p in phases) if phases else "Not stated"


def nice_date(value: Any) -> str:
    """ISO (possibly partial) date -> ``26 Jul 2025`` / ``Jul 2025`` / ``2025``."""
    if not value:
        return "Not stated"
    s = str(value)[:10]
    try:
        if len(s) == 10:
            return dt.date.fromisoformat(s).strftime("%-d %b %Y")
        if len(s) == 7:
            return dt.date.fromisoformat(s + "-01").strftime("%b %Y")
    except ValueError:
        return s
    return s


def _sort_key(value: str) -> str:
    return (value + "-01-01")[:10]


def timeline(trial: Trial, today: dt.date) -> list[dict[str, Any]]:
    """Key dates in order, each with ``past`` (already happened) and ``estimated`` flags."""
    items = [
        ("First posted", trial.first_posted, None),
        ("Study start", trial.start_date, trial.start_date_type),
        ("Primary completion", trial.primary_completion_date, None),
        ("Study completion", trial.completion_date, trial.completion_date_type),
        ("Last update posted", trial.last_update_posted, None),
    ]
    out = [
        {
            "label": name,
            "date": d,
            "text": nice_date(d),
            "estimated": (kind or "").upper() == "ESTIMATED",
            "past": _sort_key(d) <= today.isoformat(),
        }
        for name, d, kind in items
        if d
    ]
    out.sort(key=lambda x: _sort_key(str(x["date"])))
    return out


def status_class(status: Any) -> str:
    s = str(status or "")
    if s in OPEN_STATUSES:
        return "badge-open"
    if s in ("COMPLETED", "ACTIVE_NOT_RECRUITING"):
        return "badge-closed"
    if s in ("TERMINATED", "WITHDRAWN", "SUSPENDED"):
        return "badge-stopped"
    return "badge-other"


def km(value: Any) -> str:
    if value is None:
        return ""
    v = float(value)
    return f"{v:.0f} km" if v >= 10 else f"{v:.1f} km"


def explain(text: Any, matches: list[tuple[str, str, str]]) -> Markup:
    """Escape ``text`` and mark the first use of each glossary term with its definition (an
    ``abbr`` with a title; the full list is also on the page for keyboard and touch users)."""
    esc = str(escape(str(text or "")))
    spans: list[tuple[int, int, str]] = []
    for _term, definition, written in matches:
        w = str(escape(written))
        i = esc.find(w) if w.strip() else -1
        if i < 0 or any(a < i + len(w) and i < b for a, b, _ in spans):
            continue
        spans.append((i, i + len(w), f'<abbr class="term" title="{escape(definition)}">{w}</abbr>'))
    out, pos = [], 0
    for a, b, tag in sorted(spans):
        out += [esc[pos:a], tag]
        pos = b
    out.append(esc[pos:])
    return Markup("".join(out))


def unit_text(unit: Any) -> str:
    """UCUM-style codes as people write them: ``10*9/L`` -> ``x10^9/L``."""
    u = str(unit or "")
    for code, text in (
        ("10*9/L", "×10⁹/L"),
        ("10*12/L", "×10¹²/L"),
        ("10*6/L", "×10⁶/L"),
        ("10*3/uL", "×10³/µL"),
        ("umol/L", "µmol/L"),
        ("mm[Hg]", "mmHg"),
        ("[IU]/L", "IU/L"),
    ):
        if u == code:
            return text
    return u


def fact_text(fact: Any) -> str:
    """A fact id in words when the matcher gave no question for it: ``has.cns_metastases`` ->
    ``cns metastases``, ``lab.anc`` -> ``anc (lab result)``."""
    s = str(fact or "")
    if s.startswith("has.other_cancer:"):
        concept = s.split(":", 1)[1]
        s = "another cancer" if concept == "cancer" else "another cancer: " + concept.split(".")[-1]
    elif s.startswith("has."):
        s = s[4:].split(".")[-1]
    elif s.startswith("lab."):
        s = s[4:] + " (lab result)"
    elif "." in s:
        s = s.split(".", 1)[1]
    return s.replace("_", " ")


def crit_badge(c: Any) -> tuple[str, str]:
    """(css class, words) for a criterion result, read the right way round for exclusions."""
    if c.verdict == "unknown":
        return ("verdict-unknown", "Not known yet")
    if c.verdict == "not_applicable":
        return ("verdict-not_applicable", "Does not apply")
    good = (c.verdict == "met") == (c.kind == "inclusion")
    if c.kind == "inclusion":
        return ("verdict-met", "Met") if good else ("verdict-not_met", "Not met")
    return ("verdict-met", "Not excluded") if good else ("verdict-not_met", "Excludes you")


def deciding(criteria: list[Any]) -> list[Any]:
    """The criteria that decide a verdict: failed ones (inclusion not met, exclusion met) first,
    then the unknown ones."""
    failed = [c for c in criteria if (c.kind, c.verdict) in (("inclusion", "not_met"), ("exclusion", "met"))]
    return failed + [c for c in criteria if c.verdict == "unknown"]


def fact_questions(report: Any) -> dict[str, str]:
    """fact id -> the plain question the matcher asks for it (``lab.anc`` -> "What is the ANC?")."""
    return {q.fact: q.question for q in getattr(report, "next_questions", None) or []}


FILTERS = {
    "label": label,
    "phase_label": phase_label,
    "nice_date": nice_date,
    "status_class": status_class,
    "km": km,
    "unit_text": unit_text,
    "fact_text": fact_text,
}
GLOBALS = {
    "STATUS_CHOICES": STATUS_CHOICES,
    "PHASE_CHOICES": PHASE_CHOICES,
    "VERDICT_TEXT": VERDICT_TEXT,
    "CRITERION_TEXT": CRITERION_TEXT,
    "rule_text": render_rule,
    "explain": explain,
    "fact_questions": fact_questions,
    "deciding": deciding,
    "crit_badge": crit_badge,
}
