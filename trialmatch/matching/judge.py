"""Judge one eligibility criterion against one patient (a free-text note or a profile).

``judge(patient, criterion_text, kind, as_of=None) -> JudgeResult`` answers the way physicians label
single criteria: ``met`` (included / excluded), ``not_met`` (not included / not excluded),
``unknown`` (not enough information) or ``not_applicable``. The rules are general, written from
how the TrialGPT physicians labelled criteria (see benchmarks/judge_bench.py):

* reproductive items do not concern men, children or women past child-bearing age;
* consent and compliance items are settled by a note that states consent;
* age and sex restrictions are computed;
* measured values (labs, BMI, scores) need the value: without it an item is unknown;
* conditions are matched as concepts (synonyms, abbreviations, parents) against affirmed and
  negated mentions in the note;
* a note silent on an excluding condition is read as "not excluded" (a complete history would
  mention it), while an inclusion the note does not show is unknown;
* except by kind of item (``silent_exclusion`` in ``vocab/data/judge_rules.yaml``, see
  ``judge_silent``): a bare measured value (lab, weight, BMI) the note does not report is unknown;
* a requirement for a subgroup the note does not place the patient in is not applicable, and symptom
  durations are compared (``judge_inclusion``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

from trialmatch.matching.judge_rules import RULES, Decision
from trialmatch.matching.judge_text import NoteIndex
from trialmatch.patients.model import Patient

__all__ = ["MAX_CRITERION_CHARS", "JudgeContext", "JudgeResult", "context_for", "judge"]

MAX_CRITERION_CHARS = 4000
Kind = Literal["inclusion", "exclusion"]


class JudgeResult(BaseModel):
    verdict: Literal["met", "not_met", "unknown", "not_applicable"]
    explanation: str = ""
    evidence: list[str] = Field(default_factory=list)
    rule: str = ""  # which judge rule decided


@dataclass
class JudgeContext:
    """What the judge knows about a patient: sentences, their concept index, demographics."""

    patient: Patient
    sentences: list[str]
    index: NoteIndex
    age: float | None
    sex: str | None
    pregnant: bool | None
    consent: list[int]
    labs: dict[str, float]
    facts: Any = None  # PatientFacts, built on first use by the computed-criteria rule
    as_of: dt.date | None = None

    @property
    def source(self) -> str:
        """What the patient's data came from, as explanations name it: "the note" for a free-text
        note, "the patient record" for FHIR, else "the patient profile"."""
        p = self.patient
        if p.notes or p.source_format == "note":
            return "the note"
        return "the patient record" if p.source_format == "fhir" else "the patient profile"


def _profile_sentences(p: Patient) -> list[str]:
    """A profile without a note, written out as sentences so that the same matching applies."""
    out: list[str] = []
    if p.age is not None or p.sex:
        out.append(f"{p.age if p.age is not None else 'unknown age'} year old {p.sex or ''} patient.")
    if p.cancer and p.cancer.name:
        c = p.cancer
        out.append(f"Diagnosis: {c.name} {c.primary_site or ''} {c.grade or ''} {c.differentiation or ''}.")
        if c.metastasis_sites:
            out.append("Metastases: " + ", ".join(c.metastasis_sites) + ".")
    for cond in p.conditions or []:
        hist = "history of " if (cond.status or "") in ("resolved", "history") else ""
        out.append(f"{hist}{cond.name}.")
    for oc in p.other_cancers or []:
        out.append(f"history of {oc.name} ({oc.status or ''}).")
    for t in p.treatments or []:
        out.append(f"prior {t.name} {t.kind or ''}.")
    for m in p.medications or []:
        out.append(f"on {m.name}.")
    for pr in p.procedures or []:
        out.append(f"{pr.name}.")
    for a in p.allergies or []:
        out.append(f"allergic to {a}.")
    return out


def context_for(patient: Patient | str | dict[str, Any], as_of: dt.date | None = None) -> JudgeContext:
    """Build the judging context once per patient (reuse it for many criteria)."""
    if isinstance(patient, str):
        from trialmatch.patients.notes import read_note

        p = read_note(patient, as_of)
    elif isinstance(patient, dict):
        p = Patient.model_validate(patient)
    else:
        p = patient
    if p.notes:
        from trialmatch.patients.notes import sentences_of

        sents = [s.text for s in sentences_of(p.notes)]
    else:
        sents = _profile_sentences(p)
    consent = [
        i
        for i, s in enumerate(sents)
        if re.search(r"\b(informed consent|consent(?:ed)?|comply)\b", s, re.I)
        and not re.search(r"\b(refus|declin|unable|not|unwilling)\w*", s, re.I)
    ]
    labs: dict[str, float] = {}
    for lab in p.labs or []:
        if lab.name and lab.name not in labs:
            labs[lab.name] = lab.value
    return JudgeContext(
        patient=p,
        sentences=sents,
        index=NoteIndex.build(sents),
        age=p.age,
        sex=p.sex,
        pregnant=p.pregnant,
        consent=consent,
        labs=labs,
        as_of=as_of,
    )


def _clean(text: str) -> str:
    t = (text or "")[:MAX_CRITERION_CHARS].replace("\x00", " ")
    t = re.sub(r"^\s{0,4}(?:[-–•*]{1,3}|\d{1,3}[.)]|[a-z][.)])\s*", "", t)
    return re.sub(r"\s+", " ", t).strip()


def judge(
    patient: Patient | str | dict[str, Any] | JudgeContext,
    criterion_text: str,
    kind: Kind = "inclusion",
    as_of: dt.date | None = None,
) -> JudgeResult:
    """The verdict on one criterion for one patient, with an explanation and the evidence sentences."""
    ctx = patient if isinstance(patient, JudgeContext) else context_for(patient, as_of)
    kind = "exclusion" if str(kind).lower().startswith("ex") else "inclusion"
    text = _clean(criterion_text)
    if not text or re.fullmatch(r"(?i)(?:none|n/?a|not applicable|nil)\.?", text):
        if kind == "exclusion":  # an empty exclusion excludes no one
            return JudgeResult(verdict="not_met", explanation="The exclusion is empty.", rule="empty")
        return JudgeResult(verdict="unknown", explanation="The criterion is empty.", rule="empty")
    for rule in RULES:
        try:
            d: Decision | None = rule(ctx, text, kind)
        except Exception as exc:  # a rule failing on odd text must not stop the others
            d = Decision("unknown", f"Could not judge this text ({type(exc).__name__}).", "error")
        if d is not None:
            ev = [ctx.sentences[i] for i in sorted(set(d.sentences)) if 0 <= i < len(ctx.sentences)]
            return JudgeResult(
                verdict=d.verdict, explanation=_in_source(d.explanation, ctx), evidence=ev, rule=d.rule
            )
    if kind == "exclusion":
        return JudgeResult(
            verdict="not_met",
            rule="silent_exclusion",
            explanation=_in_source(
                "The note does not mention this excluding condition; a complete history "
                "would, so it is taken as absent (not excluded).",
                ctx,
            ),
        )
    return JudgeResult(
        verdict="unknown",
        rule="silent_inclusion",
        explanation=_in_source("The note does not show whether this requirement is fulfilled.", ctx),
    )


def _in_source(explanation: str, ctx: JudgeContext) -> str:
    """The rules word explanations for a note; name the patient's actual source instead."""
    if ctx.source == "the note":
        return explanation
    return explanation.replace("The note", ctx.source.capitalize()).replace("the note", ctx.source)
