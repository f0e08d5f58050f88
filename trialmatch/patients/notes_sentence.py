"""Facts read from one sentence of a note: labs, vitals, performance status, cancer details, pregnancy,
smoking, allergies, treatments, medications, procedures and metastasis sites (see ``notes.read_note``)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from trialmatch.patients.model import Fact, Lab, Medication, Procedure, Treatment
from trialmatch.patients.notes_cancer import outcome as _outcome
from trialmatch.patients.notes_extract import (
    Sentence,
    cue_alt,
    cue_regex,
    find_cancer_details,
    find_dates,
    find_ecog,
    find_karnofsky,
    find_labs,
    find_relative_date,
    find_vitals,
    phrase_regex,
    phrases,
)
from trialmatch.patients.notes_treatments import find_treatments

__all__ = ["facts_for_sentence"]


@dataclass(frozen=True, slots=True)
class _Cues:
    """The sentence reader's patterns, built once from the phrase lists of ``note_phrases.yaml``."""

    smoke_never: re.Pattern[str]
    smoke_former: re.Pattern[str]
    smoke_current: re.Pattern[str]
    pregnant: re.Pattern[str]
    not_pregnant: re.Pattern[str]
    pregnancy_denied: re.Pattern[str]
    allergy: re.Pattern[str]
    no_allergies: re.Pattern[str]
    medication_intro: re.Pattern[str]
    negation: re.Pattern[str]
    treatment_negation: re.Pattern[str]
    scope_end: re.Pattern[str]
    treatment_history: re.Pattern[str]
    procedure: re.Pattern[str]
    metastasis: re.Pattern[str]
    no_metastasis: re.Pattern[str]
    metastasis_scope_end: re.Pattern[str]


@functools.cache
def _cues() -> _Cues:
    tests = cue_alt("pregnancy_tests")
    return _Cues(
        smoke_never=cue_regex("smoking_never"),
        smoke_former=re.compile(
            rf"(?<!\w){cue_alt('smoking_former')}(?!\w)|\bsmoked .{{0,40}}\b(?:until|ago)\b", re.I
        ),
        smoke_current=cue_regex("smoking_current"),
        pregnant=cue_regex("pregnancy_positive"),
        not_pregnant=re.compile(
            rf"(?<!\w)(?:{cue_alt('pregnancy_negative')}|negative {tests}|"
            rf"{tests}(?!\w)[^.;,]{{0,80}}?\b(?:is|was|were|came back|:)?\s?negative)(?!\w)",
            re.I,
        ),
        pregnancy_denied=re.compile(rf"\b{cue_alt('pregnancy_negations')}\b[^.]{{0,20}}pregnan", re.I),
        allergy=re.compile(
            rf"\b{cue_alt('allergy_words')}\s(?:to\s)?([A-Za-z][\w -]{{1,40}}?)(?=[.,;]|\sand\s|$)", re.I
        ),
        no_allergies=cue_regex("no_allergies"),
        medication_intro=cue_regex("medication_intro_cues"),
        negation=cue_regex("negation_cues"),
        treatment_negation=re.compile(rf"\b{cue_alt('treatment_negations')}\b([^.;]{{0,60}})$", re.I),
        scope_end=cue_regex("negation_scope_ends"),
        treatment_history=cue_regex("treatment_history_cues"),
        procedure=re.compile(
            rf"\b([A-Za-z-]{{2,30}}{cue_alt('procedure_suffixes')}|{cue_alt('procedure_words')})\b", re.I
        ),
        metastasis=re.compile(rf"\b{cue_alt('metastasis_words')}", re.I),
        no_metastasis=re.compile(rf"\b{cue_alt('metastasis_absent')}", re.I),
        metastasis_scope_end=re.compile(
            rf"\b{cue_alt('negation_scope_ends')}\b|[;:]|{cue_alt('metastasis_words')}", re.I
        ),
    )


def _negated_before(head: str) -> bool:
    """A negation shortly before a treatment whose scope reaches it ("never received cisplatin or any
    platinum-based chemotherapy"; not "no response to cisplatin, then ...": the scope ends at but/then)."""
    m = _cues().treatment_negation.search(head)
    return bool(m and (len(m.group(1)) <= 30 or not _cues().scope_end.search(m.group(1))))


def facts_for_sentence(s: Sentence, as_of: dt.date | None, p: dict[str, Any], facts: list[Fact]) -> None:
    """Append the facts of sentence ``s`` to ``facts`` and fill the patient fields in ``p``."""
    ph = phrases()
    cu = _cues()
    t = s.text
    dates = find_dates(t)
    when = find_relative_date(t, as_of) or ((dates[0][0], "date") if dates else None)
    until = dates[1][0] if len(dates) > 1 and dates[1][0] >= dates[0][0] else None

    def add(kind: str, name: str, value: Any = None, status: str = "present") -> None:
        facts.append(
            Fact(
                kind=kind,
                name=name,
                value=value,
                status=status,  # type: ignore[arg-type]
                source_text=t,
                char_start=s.start,
                char_end=s.end,
            )
        )

    for key, alias, value, unit, _a, _b in find_labs(t):
        add("lab", key, {"value": value, "unit": unit, "as_written": alias})
        p["labs"].append(Lab(name=key, value=value, unit=unit))
    for key, value in find_vitals(t).items():
        add("vital", key, value)
        p["vitals"][key] = value
    e = find_ecog(t)
    if e:
        add("performance_status", "ecog", e[0])
        p["ps"].ecog = e[0]
    k = find_karnofsky(t)
    if k:
        add("performance_status", "karnofsky", k[0])
        p["ps"].karnofsky = k[0]
    det = find_cancer_details(t)
    for key, val in det.items():
        add("cancer", key, val)
    p["cancer_details"].update({k2: v for k2, v in det.items() if k2 not in p["cancer_details"]})
    if cu.not_pregnant.search(t):
        add("reproductive", "pregnant", False, "absent")
        p["pregnant"] = False if p["pregnant"] is None else p["pregnant"]
    elif cu.pregnant.search(t):
        neg = cu.pregnancy_denied.search(t)
        add("reproductive", "pregnant", not neg, "absent" if neg else "present")
        p["pregnant"] = not neg
    if cu.smoke_never.search(t):
        add("smoking", "smoking", "never", "absent")
        p["smoking"] = "never"
    elif cu.smoke_former.search(t):
        add("smoking", "smoking", "former", "history")
        p["smoking"] = "former"
    elif cu.smoke_current.search(t):
        add("smoking", "smoking", "current", "present")
        p["smoking"] = "current"
    if cu.no_allergies.search(t):
        add("allergy", "none known", None, "absent")
    for m in cu.allergy.finditer(t):
        add("allergy", m.group(1).strip().lower())
        p["allergies"].append(m.group(1).strip().lower())
    # treatments by class, medications by name or suffix
    neg_sent = bool(cu.negation.search(t))
    for m_start, m_end, name, kind in find_treatments(t):
        after = [d for d in dates if d[1] >= m_end]  # the dates written after the drug are its own
        t_start = after[0][0] if after else (when[0] if when else None)
        t_end = (
            after[1][0] if len(after) > 1 and after[1][0] >= after[0][0] else (until if not after else None)
        )
        st = (
            "absent"
            if _negated_before(t[:m_start])
            else ("history" if cu.treatment_history.search(t) else "present")
        )
        outcome = _outcome(t)
        add(
            "treatment",
            name,
            {"kind": kind, "date": when[0].isoformat() if when else None, "outcome": outcome},
            st,
        )
        if st != "absent":
            p["treatments"].append(
                Treatment(
                    name=name,
                    kind=kind,
                    start_date=t_start,
                    end_date=t_end,
                    ongoing=(True if st == "present" else None) if outcome is None else False,
                    outcome=outcome,
                )
            )
    med_words = tuple(ph["medications"])
    found = {m.group(0).lower() for m in phrase_regex(med_words).finditer(t)}
    if cu.medication_intro.search(t):
        suf = "|".join(re.escape(x) for x in ph["medication_suffixes"])
        for m in re.finditer(rf"\b([A-Za-z]{{3,20}}(?:{suf}))\b", t):
            found.add(m.group(1).lower())
    for name in sorted(found):
        st = (
            "absent"
            if neg_sent
            and re.search(rf"\b{cue_alt('negation_cues')}\b[^.]{{0,40}}{re.escape(name)}", t, re.I)
            else "present"
        )
        add("medication", name, {"start_date": when[0].isoformat() if when else None}, st)
        if st == "present":
            p["medications"].append(Medication(name=name, ongoing=True, start_date=when[0] if when else None))
    for m in cu.procedure.finditer(t):
        name = m.group(0).lower()
        add("procedure", name, {"date": when[0].isoformat() if when else None})
        p["procedures"].append(Procedure(name=name, date=when[0] if when else None))
    # metastases and primary site
    if cu.metastasis.search(t) and not cu.no_metastasis.search(t):
        negation = phrase_regex(tuple(ph["metastasis_negations"]))
        sites = []
        for sm in phrase_regex(tuple(ph["metastasis_sites"])).finditer(t):
            before = t[max(0, sm.start() - 40) : sm.start()]
            cues = list(negation.finditer(before))
            cue = cues[-1] if cues else None  # the last cue before the site
            scope = before[cue.end() :] if cue is not None else ""
            # the cue's scope ends at a clause break or at the metastases it negated ("no bone
            # metastases; liver metastases seen"), so later sites are not negated with it
            if cue is not None and not cu.metastasis_scope_end.search(scope):
                add("metastasis", sm.group(0).lower(), status="absent")  # "no brain metastases"
                continue
            sites.append(sm.group(0).lower())
        if sites or not phrase_regex(tuple(ph["metastasis_sites"])).search(t):
            add("cancer", "metastatic", True)
            p["metastatic"] = True
        for site in sites:
            add("metastasis", site)
            if site not in p["met_sites"]:
                p["met_sites"].append(site)
