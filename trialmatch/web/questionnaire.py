"""The "Am I eligible?" questionnaire: questions generated from a trial's parsed criteria, and
answers turned into a patient profile (pure functions; no storage).

Only variables that the trial's rules actually test become questions; every question can be
left as "I don't know", which leaves the fact unknown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trialmatch.criteria.model import Criterion
from trialmatch.criteria.rules import Compare, Flag, Has, Is, Rule, walk
from trialmatch.records.model import Trial

__all__ = ["MAX_QUESTIONS", "Question", "answers_to_patient", "questions_for"]

MAX_QUESTIONS = 25


@dataclass
class Question:
    key: str  # form field name
    text: str
    kind: str  # number | choice | yesno
    unit: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    help: str | None = None
    uln: bool = False  # also ask for the upper limit of normal


_FIXED: dict[str, tuple[str, str, str | None, list[tuple[str, str]]]] = {
    "age": ("How old are you?", "number", "years", []),
    "sex": ("What is your sex?", "choice", None, [("female", "Female"), ("male", "Male")]),
    "ecog": (
        "Which best describes your daily activity (ECOG performance status)?",
        "choice",
        None,
        [
            ("0", "0 - fully active, no restrictions"),
            ("1", "1 - light work possible, limited strenuous activity"),
            ("2", "2 - up and about more than half the day, cannot work"),
            ("3", "3 - in bed or chair more than half the day"),
            ("4", "4 - completely confined to bed or chair"),
        ],
    ),
    "karnofsky": ("What is your Karnofsky performance score?", "number", "%", []),
    "life_expectancy_months": (
        "How long has your doctor said you are expected to live (life expectancy)?",
        "number",
        "months",
        [],
    ),
    "pregnant": ("Are you pregnant?", "yesno", None, []),
    "breastfeeding": ("Are you breastfeeding?", "yesno", None, []),
    "childbearing_potential": ("Could you become pregnant (childbearing potential)?", "yesno", None, []),
    "cancer.metastatic": (
        "Has the cancer spread to other parts of the body (metastatic)?",
        "yesno",
        None,
        [],
    ),
    "cancer.measurable_disease": (
        "Has a scan shown tumours that can be measured (measurable disease)?",
        "yesno",
        None,
        [],
    ),
    "cancer.resectable": ("Has a surgeon said the tumour can be removed by surgery?", "yesno", None, []),
    "cancer.resected": ("Has the tumour been removed by surgery?", "yesno", None, []),
    "cancer.ki67_percent": ("What is the Ki-67 index of the tumour?", "number", "%", []),
    "cancer.ne_component_percent": ("What share of the tumour is neuroendocrine?", "number", "%", []),
    "cancer.mitoses_per_2mm2": ("What is the mitotic count?", "number", "per 2 mm²", []),
    "cancer.krenning_score": (
        "What was the Krenning score on the somatostatin receptor scan?",
        "number",
        None,
        [],
    ),
    "healthy_volunteer": ("Are you a healthy volunteer (no illness being studied)?", "yesno", None, []),
    "prior_lines": ("How many lines of systemic treatment have you had?", "number", "lines", []),
    "weight_kg": ("What is your weight?", "number", "kg", []),
    "bmi": ("What is your body-mass index (BMI)?", "number", "kg/m²", []),
}
_CHOICES = {
    "cancer.grade": ("What is the tumour grade?", [("G1", "G1"), ("G2", "G2"), ("G3", "G3")]),
    "cancer.differentiation": (
        "How differentiated is the tumour?",
        [("well", "Well differentiated"), ("poorly", "Poorly differentiated")],
    ),
    "cancer.stage_group": (
        "What is the stage of the cancer?",
        [("I", "I"), ("II", "II"), ("III", "III"), ("IV", "IV")],
    ),
}
_VITALS = {
    "vital.systolic_bp": ("What is your systolic (upper) blood pressure?", "mmHg"),
    "vital.diastolic_bp": ("What is your diastolic (lower) blood pressure?", "mmHg"),
    "vital.qtc_ms": ("What is your QTc interval on the ECG?", "ms"),
    "vital.lvef_percent": ("What is your heart's ejection fraction (LVEF)?", "%"),
    "vital.heart_rate": ("What is your resting heart rate?", "beats/min"),
}
_HAS_KIND_TEXT = {
    "treatment": "been treated with",
    "medication": "taken",
    "procedure": "had",
    "allergy": "been allergic to",
    "diagnosis": "been diagnosed with",
    "metastasis": "had spread to",
    "trial_participation": "taken part in",
}


def _concept_words(concept: str) -> str:
    """The concept's name from the vocabulary (``brain_metastases`` -> ``brain metastases``)."""
    try:
        from trialmatch.vocab.concepts import concept as lookup

        c = lookup(concept)
        if c is not None:
            return str(c.label)
    except Exception:
        pass
    return concept.split(".")[-1].replace("_", " ")


def _lab_words(key: str) -> str:
    try:
        from trialmatch.vocab.labs import lab

        v = lab(key)
        if v is not None and v.names:
            name = str(v.names[0])
            return f"{name} ({v.abbr[0]})" if v.abbr else name
    except Exception:
        pass
    return key.replace("_", " ")


def _window_words(r: Has) -> str:
    w = r.window
    if w is None:
        return ""
    unit = w.unit + ("s" if w.amount != 1 else "")
    if w.relation == "within":
        return f" in the last {w.amount:g} {unit}"
    if w.relation == "before":
        return f" more than {w.amount:g} {unit} ago"
    return ""


def questions_for(criteria: list[Criterion], trial: Trial | None = None) -> list[Question]:
    """Questions for the variables the criteria test, in the order they first appear; with
    ``trial``, also age and sex when its structured eligibility fields restrict them."""
    out: dict[str, Question] = {}
    if trial is not None:
        el = trial.eligibility
        if el.min_age_years is not None or el.max_age_years is not None:
            text, kind, unit, opts = _FIXED["age"]
            out["age"] = Question(key="age", text=text, kind=kind, unit=unit)
        if el.sex in ("FEMALE", "MALE"):
            text, kind, unit, opts = _FIXED["sex"]
            out["sex"] = Question(key="sex", text=text, kind=kind, options=list(opts))
    for c in criteria:
        for node in [*walk(c.applies_if), *walk(c.rule)]:
            q = _question(node)
            if q is None:
                continue
            if q.key in out:
                out[q.key].uln = out[q.key].uln or q.uln
                continue
            out[q.key] = q
            if len(out) >= MAX_QUESTIONS:
                return list(out.values())
    return list(out.values())


def _question(node: Rule) -> Question | None:
    if isinstance(node, (Compare, Is, Flag)):
        var = node.var
        if var in _FIXED:
            text, kind, unit, opts = _FIXED[var]
            return Question(key=var, text=text, kind=kind, unit=unit, options=list(opts))
        if var in _CHOICES:
            text, opts = _CHOICES[var]
            if isinstance(node, Is):
                known = {v for v, _ in opts}
                opts = opts + [(v, v) for v in node.values if v not in known]
            return Question(key=var, text=text, kind="choice", options=list(opts))
        if var in _VITALS:
            text, unit = _VITALS[var]
            return Question(key=var, text=text, kind="number", unit=unit)
        if var.startswith("lab.") and isinstance(node, Compare):
            name = _lab_words(var[4:])
            unit = node.unit if not node.ref else None
            return Question(
                key=var,
                text=f"What was your most recent {name} result?",
                kind="number",
                unit=unit,
                uln=node.ref == "uln",
                help="Copy the value and unit from your latest blood test report.",
            )
        return None
    if isinstance(node, Has):
        kinds = node.kinds or ("condition",)
        verb = _HAS_KIND_TEXT.get(kinds[0], "had")
        what = _concept_words(node.concept)
        if kinds[0] == "metastasis":
            text = f"Do you have {what}{_window_words(node)}?"
        else:
            text = f"Have you {verb} {what}{_window_words(node)}?"
        return Question(key="has." + "|".join(kinds) + ":" + node.concept, text=text, kind="yesno")
    return None


def _num(v: str | None) -> float | None:
    if v is None or str(v).strip() == "":
        return None
    try:
        x = float(str(v).replace(",", ".").strip()[:20])
    except ValueError:
        return None
    return x if abs(x) < 1e9 else None


def _set(d: dict[str, Any], dotted: str, value: Any) -> None:
    *head, last = dotted.split(".")
    for part in head:
        d = d.setdefault(part, {})
    d[last] = value


_LIST_FOR_KIND = {
    "condition": "conditions",
    "treatment": "treatments",
    "medication": "medications",
    "procedure": "procedures",
    "allergy": None,
    "other_cancer": "other_cancers",
    "biomarker": "biomarkers",
    "metastasis": None,
    "diagnosis": None,
    "site": None,
    "imaging": "imaging",
    "trial_participation": None,
}


def answers_to_patient(questions: list[Question], form: Mapping[str, Any], as_of: dt.date) -> dict[str, Any]:
    """Form answers -> a patient profile dict (patient-profile v1). Unanswered means unknown."""
    p: dict[str, Any] = {"id": "questionnaire", "as_of": as_of.isoformat()}
    said_no: set[str] = set()
    unsure: set[str] = set()
    for q in questions:
        raw = form.get(q.key)
        val = str(raw).strip()[:100] if raw is not None else ""
        if q.key.startswith("has."):
            kinds_s, concept = q.key[4:].split(":", 1)
            kind = kinds_s.split("|")[0]
            if val == "yes":
                _add_has(p, kind, concept, as_of)
            elif val == "no":
                said_no.add(kind)
            else:
                unsure.add(kind)
            continue
        path = _PATHS.get(q.key, q.key)
        if q.kind == "yesno":
            if val in ("yes", "no") and path:
                _set(p, path, val == "yes")
            continue
        if q.kind == "choice":
            if val and val in {v for v, _ in q.options}:
                _set(p, path, _choice_value(q.key, val))
            continue
        x = _num(val)
        if x is None:
            continue
        if q.key.startswith("lab."):
            lab: dict[str, Any] = {"name": q.key[4:].replace("_", " "), "value": x, "date": as_of.isoformat()}
            unit = str(form.get(q.key + ".unit") or q.unit or "").strip()[:30]
            if unit:
                lab["unit"] = unit
            uln = _num(form.get(q.key + ".uln"))
            if uln:
                lab["uln"] = uln
            p.setdefault("labs", []).append(lab)
        elif q.key.startswith("vital."):
            _set(p, "vitals." + q.key[6:], x)
        elif q.key in ("prior_lines", "bmi"):
            continue  # derived by the matcher from treatments / vitals
        elif path:
            _set(p, path, int(x) if q.key in ("ecog", "karnofsky", "cancer.krenning_score") else x)
    for kind in said_no - unsure:
        key = _LIST_FOR_KIND.get(kind)
        if key and key not in p:
            p[key] = []
    return p


#: Where an answer goes in the profile when the rule variable is not a profile path.
_PATHS = {
    "ecog": "performance_status.ecog",
    "karnofsky": "performance_status.karnofsky",
    "weight_kg": "vitals.weight_kg",
    "cancer.stage_group": "cancer.stage.group",
    "healthy_volunteer": "",
    "cancer.krenning_score": "",
}


def _choice_value(key: str, val: str) -> Any:
    if key == "ecog":
        return int(val)
    return val


def _add_has(p: dict[str, Any], kind: str, concept: str, as_of: dt.date) -> None:
    name = _concept_words(concept)
    when = as_of.isoformat()
    if kind == "treatment":
        p.setdefault("treatments", []).append({"name": name, "start_date": when})
    elif kind == "medication":
        p.setdefault("medications", []).append({"name": name, "ongoing": True})
    elif kind == "procedure":
        p.setdefault("procedures", []).append({"name": name, "date": when})
    elif kind == "allergy":
        p.setdefault("allergies", []).append(name)
    elif kind == "metastasis":
        cancer = p.setdefault("cancer", {})
        cancer.setdefault("metastasis_sites", []).append(name)
        cancer["metastatic"] = True
    elif kind == "diagnosis":
        p.setdefault("cancer", {})["name"] = name
    elif kind == "other_cancer":
        p.setdefault("other_cancers", []).append({"name": name, "status": "active"})
    elif kind == "biomarker":
        p.setdefault("biomarkers", []).append({"name": name, "result": "positive"})
    elif kind == "trial_participation":
        p["recent_trial_participation_end_date"] = when
    else:
        p.setdefault("conditions", []).append({"name": name, "onset_date": when, "status": "active"})
