"""Trial verdicts, ranking and "what to find out next". Pure: (patient, trials, as_of).

``prepare_trials`` compiles each trial's criteria once (closures made lazily, on first use);
``match_patient`` screens every prepared trial with the fast closures (criteria that most often
fail are tried first and the first failure stops the trial), then explains in full the best
``detail_top`` trials and any trial asked for by id.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from trialmatch.criteria.model import Criterion
from trialmatch.criteria.scope import part_of
from trialmatch.matching.evaluate import Tri, compile_rule, evaluate_criterion
from trialmatch.matching.model import CriterionResult, MatchReport, NextQuestion, TrialResult
from trialmatch.patients import terms as T
from trialmatch.patients.derive import PatientFacts
from trialmatch.patients.model import Patient
from trialmatch.records.model import OPEN_STATUSES, Trial
from trialmatch.search.geo import nearest_site

__all__ = [
    "SITE_STATUSES",
    "VERDICT_RANK",
    "PreparedTrial",
    "disease_fit",
    "match_patient",
    "prepare_trials",
    "screen_trial",
]

VERDICT_RANK = {"eligible": 3, "possibly_eligible": 2, "ineligible": 0}

# categories tried first by the screen: cheap and most often decisive
_FIRST = {
    "age": 0,
    "sex": 0,
    "diagnosis": 1,
    "primary_site": 1,
    "grade": 2,
    "stage": 2,
    "metastases": 3,
    "biomarker": 3,
    "prior_therapy": 4,
    "performance_status": 4,
}
_WORDS = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "of",
        "the",
        "and",
        "or",
        "in",
        "with",
        "a",
        "an",
        "for",
        "to",
        "on",
        "by",
        "at",
        "from",
        "cancer",
        "tumor",
        "tumour",
        "neoplasm",
        "neoplasms",
    ]
)

Screen = tuple[str, int, int]  # verdict, known count, applicable count


@dataclass(slots=True)
class PreparedTrial:
    """A trial with its criteria, compiled once (lazily, per criterion) and reused for every patient.

    ``raw`` holds ``Criterion`` objects or their dict form (``Criterion.to_dict``); dicts are turned
    into rules only when the screen reaches them, so loading thousands of trials stays cheap.
    """

    trial_id: str
    registry_id: str | None
    title: str | None
    status: str | None
    conditions_text: str
    raw: list[Criterion | dict[str, Any]]
    locations: list[tuple[float, float, str, str | None]] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    kinds: list[bool] = field(default_factory=list)  # True = exclusion
    #: per criterion, 0 or the part of a multi-part trial it belongs to (1, 2 ...; ``scope.part_of``):
    #: the parts are alternatives, all 0 when the trial names fewer than two parts
    parts: list[int] = field(default_factory=list)
    in_parts: bool = False  # any(parts), asked once per patient and trial
    _fns: list[tuple[Callable[[PatientFacts], Tri], Callable[[PatientFacts], Tri] | None] | None] = field(
        default_factory=list
    )
    _criteria: list[Criterion] | None = None
    _concepts: frozenset[str] | None = None
    _words: frozenset[str] | None = None

    @classmethod
    def from_parts(
        cls,
        trial_id: str,
        registry_id: str | None,
        title: str | None,
        status: str | None,
        conditions: Sequence[str],
        criteria: Sequence[Criterion | dict[str, Any]],
        locations: Sequence[tuple[float, float, str, str | None]] = (),
    ) -> PreparedTrial:
        raw = list(criteria)

        def get(c: Criterion | dict[str, Any], name: str, default: Any) -> Any:
            return c.get(name, default) if isinstance(c, dict) else getattr(c, name, default)

        order = sorted(
            range(len(raw)),
            key=lambda i: (
                0 if get(raw[i], "source", "text") != "text" else 1,
                _FIRST.get(get(raw[i], "category", ""), 5),
                i,
            ),
        )
        kinds = [get(c, "kind", "inclusion") == "exclusion" for c in raw]
        parts = _part_numbers([get(c, "scope", None) for c in raw])
        cond = " ; ".join([*conditions, title or ""])
        return cls(
            trial_id,
            registry_id,
            title,
            status,
            cond,
            raw,
            list(locations),
            order,
            kinds,
            parts,
            any(parts),
            [None] * len(raw),
        )

    @classmethod
    def from_trial(cls, trial: Trial, criteria: Sequence[Criterion | dict[str, Any]]) -> PreparedTrial:
        locs: list[tuple[float, float, str, str | None]] = []
        for loc in trial.locations:
            name = ", ".join(x for x in (loc.facility, loc.city, loc.state, loc.country) if x)
            if loc.lat is not None and loc.lon is not None:
                locs.append((float(loc.lat), float(loc.lon), name, loc.status))
            elif loc.city:  # coordinates resolved later, only if a distance is asked for
                query = ", ".join(
                    x
                    for x in (
                        loc.city,
                        loc.state if loc.country in (None, "United States") else None,
                        loc.country,
                    )
                    if x
                )
                locs.append((math.nan, math.nan, name + "\x00" + query, loc.status))
        conditions = [*trial.conditions, trial.official_title or ""]
        return cls.from_parts(
            trial.id, trial.registry_id, trial.title, trial.overall_status, conditions, criteria, locs
        )

    def criterion(self, i: int) -> Criterion:
        raw = self.raw[i]
        if isinstance(raw, Criterion):
            return raw
        try:
            c = Criterion.from_dict(raw)
        except (KeyError, TypeError, ValueError) as exc:  # a malformed stored criterion
            kind: Literal["inclusion", "exclusion"] = (
                "exclusion" if raw.get("kind") == "exclusion" else "inclusion"
            )
            c = Criterion(kind, str(raw.get("text", "")), note=f"unreadable rule ({type(exc).__name__})")
        self.raw[i] = c
        return c

    @property
    def criteria(self) -> list[Criterion]:
        if self._criteria is None:
            self._criteria = [self.criterion(i) for i in range(len(self.raw))]
        return self._criteria

    def fn(self, i: int) -> tuple[Callable[[PatientFacts], Tri], Callable[[PatientFacts], Tri] | None]:
        f = self._fns[i]
        if f is None:
            c = self.criterion(i)
            rule_fn = compile_rule(c.rule, c.kind == "inclusion") if c.rule is not None else _none
            app_fn = compile_rule(c.applies_if) if c.applies_if is not None else None
            f = self._fns[i] = (rule_fn, app_fn)
        return f

    @property
    def concepts(self) -> frozenset[str]:
        if self._concepts is None:
            self._concepts = T.concepts_of(self.conditions_text)
        return self._concepts


def _none(facts: PatientFacts) -> Tri:
    return None


def _part_numbers(scopes: Sequence[str | None]) -> list[int]:
    """Per criterion its part's number (1, 2 ...) or 0; all 0 unless two parts or more are named."""
    keys = [part_of(s) for s in scopes]
    names = list(dict.fromkeys(k for k in keys if k))
    if len(names) < 2:
        return [0] * len(scopes)
    return [names.index(k) + 1 if k else 0 for k in keys]


def _best_part(parts: Sequence[int], failed: Sequence[bool], unknown: Sequence[bool]) -> tuple[str, int]:
    """(verdict, part) through the best part: each part with the criteria common to all (part 0);
    part 0 when none is open."""
    best, best_p = "ineligible", 0
    for p in sorted(set(parts) - {0}):
        mine = [i for i, q in enumerate(parts) if q in (0, p)]
        if any(failed[i] for i in mine):
            continue
        v = "possibly_eligible" if any(unknown[i] for i in mine) else "eligible"
        if VERDICT_RANK[v] > VERDICT_RANK[best]:
            best, best_p = v, p
    return best, best_p


def prepare_trials(pairs: Iterable[tuple[Trial, Sequence[Criterion]]]) -> list[PreparedTrial]:
    return [PreparedTrial.from_trial(t, c) for t, c in pairs]


def screen_trial(pt: PreparedTrial, facts: PatientFacts) -> Screen:
    """Fast verdict: stops at the first failed criterion (of a trial in parts: reads them all)."""
    if pt.in_parts:
        return _screen_parts(pt, facts)
    fns = pt._fns
    kinds = pt.kinds
    known = applicable = 0
    unknown = False
    for i in pt.order:
        f = fns[i]
        rule_fn, app_fn = f if f is not None else pt.fn(i)
        if app_fn is not None and app_fn(facts) is False:
            continue
        applicable += 1
        v = rule_fn(facts)
        if v is None:
            unknown = True
            continue
        known += 1
        if v is kinds[i]:
            return "ineligible", known, applicable
    return ("possibly_eligible" if unknown else "eligible"), known, applicable


def _screen_parts(pt: PreparedTrial, facts: PatientFacts) -> Screen:
    n = len(pt.raw)
    failed, unknown = [False] * n, [False] * n
    known = applicable = 0
    for i in pt.order:
        rule_fn, app_fn = pt.fn(i)
        if app_fn is not None and app_fn(facts) is False:
            continue
        applicable += 1
        v = rule_fn(facts)
        if v is None:
            unknown[i] = True
            continue
        known += 1
        failed[i] = v is pt.kinds[i]
    return _best_part(pt.parts, failed, unknown)[0], known, applicable


def _words(text: str) -> set[str]:
    return {w for w in _WORDS.findall(text.lower()) if w not in _STOP and len(w) > 2}


def disease_fit(pt: PreparedTrial, facts: PatientFacts) -> float:
    """How well the trial's conditions and title fit the patient's cancer (0-1)."""
    diag = facts.items["diagnosis"]
    site = facts.items["site"]
    if not diag and not site:
        return 0.0
    tc = pt.concepts
    best = 0.0
    for it in diag:
        for c in tc:
            if T.concept_matches(it.concepts, "", c):
                # the patient's disease falls under the trial's; a root concept ("cancer",
                # "solid tumours") fits less than a specific one
                best = max(best, 1.0 if T.concept_depth(c) > 0 else 0.4)
            elif any(T.concept_matches((c,), "", p) for p in it.concepts):
                best = max(best, 0.7)
    for it in site:
        for c in tc:
            if T.concept_matches(it.concepts, "", c):
                best = max(best, 0.5)
    if best == 0.0:
        mine = facts.cache.get("_words")
        if mine is None:
            mine = facts.cache["_words"] = set().union(*(_words(i.text) for i in diag + site))
        if pt._words is None:
            pt._words = frozenset(_words(pt.conditions_text))
        theirs = pt._words
        if mine and theirs:
            best = 0.5 * len(mine & theirs) / len(mine)
    return round(best, 3)


Geocoder = Callable[[str], "tuple[float, float] | None"]


#: The statuses the matcher asks about when it names a trial's nearest site: the open ones, so a site
#: counts when it (or, without a status of its own, its open study) is recruiting or not yet recruiting;
#: an invitation-only, suspended or closed site does not (a patient cannot walk into it).
SITE_STATUSES = list(OPEN_STATUSES)


def _distance(
    pt: PreparedTrial, loc: tuple[float, float] | None, geocode: Geocoder | None = None
) -> tuple[float | None, str | None]:
    """Distance (km) to the nearest site that counts, and its name, by the one site rule the search
    engine and the web app use (:func:`trialmatch.search.geo.nearest_site`)."""
    if loc is None or not pt.locations:
        return None, None

    def point(site: tuple[float, float, str, str | None]) -> tuple[float, float] | None:
        lat, lon, name, _status = site
        if math.isnan(lat):
            query = name.partition("\x00")[2]
            return geocode(query) if geocode is not None else None
        return lat, lon

    found = nearest_site(
        pt.locations,
        loc,
        point=point,
        status=lambda site: site[3],
        study_status=pt.status,
        statuses=SITE_STATUSES,
    )
    if found is None:
        return None, None
    site, dist = found
    return round(dist, 1), site[2].partition("\x00")[0]


def _score(verdict: str, fit: float, known_share: float, dist: float | None) -> float:
    """Verdict first, then disease fit, then the share of criteria known, then proximity."""
    prox = 0.0 if dist is None else 1.0 / (1.0 + dist / 100.0)
    return round(VERDICT_RANK[verdict] * 10 + fit * 3 + known_share * 0.9 + prox * 0.09, 4)


def _full(pt: PreparedTrial, facts: PatientFacts) -> tuple[str, list[CriterionResult]]:
    results = [evaluate_criterion(c, facts) for c in pt.criteria]
    fails = [
        (r.kind == "inclusion" and r.verdict == "not_met") or (r.kind == "exclusion" and r.verdict == "met")
        for r in results
    ]
    unknowns = [r.verdict == "unknown" for r in results]
    if pt.in_parts:
        verdict, part = _best_part(pt.parts, fails, unknowns)
        if part:  # the route through that part: the other parts' items are not the patient's
            way = next(c.scope for c, q in zip(pt.criteria, pt.parts, strict=True) if q == part)
            for i, q in enumerate(pt.parts):
                if q not in (0, part):
                    results[i] = results[i].model_copy(
                        update={
                            "verdict": "not_applicable",
                            "explanation": f"Only for {pt.criteria[i].scope}; the patient can take part "
                            f"through {way}. ({results[i].verdict.replace('_', ' ')}: "
                            f"{results[i].explanation})",
                            "missing": [],
                        }
                    )
        return verdict, results
    return ("ineligible" if any(fails) else "possibly_eligible" if any(unknowns) else "eligible"), results


def match_patient(
    patient: Patient,
    trials_with_criteria: Iterable[PreparedTrial | tuple[Trial, Sequence[Criterion]]],
    as_of: dt.date,
    location: tuple[float, float] | None = None,
    detail_top: int = 50,
    trial_ids: Sequence[str] = (),
    open_only: bool = False,
    include_ineligible: bool | None = None,
    geocode: Geocoder | None = None,
) -> MatchReport:
    """Judge every trial for one patient and rank them (see module docstring)."""
    facts = PatientFacts.build(patient, as_of)
    ploc = patient.location
    if location is None and ploc is not None and ploc.lat is not None and ploc.lon is not None:
        location = (ploc.lat, ploc.lon)
    radius = ploc.travel_radius_km if ploc is not None else None
    wanted = set(trial_ids)
    if include_ineligible is None:
        include_ineligible = bool(wanted)
    screened: list[tuple[float, PreparedTrial, str, float, float, float | None, str | None]] = []
    skipped_closed = 0
    for item in trials_with_criteria:
        pt = item if isinstance(item, PreparedTrial) else PreparedTrial.from_trial(*item)
        explicit = pt.trial_id in wanted or (pt.registry_id is not None and pt.registry_id in wanted)
        if wanted and not explicit:
            continue
        if open_only and not explicit and pt.status is not None and pt.status not in OPEN_STATUSES:
            skipped_closed += 1
            continue
        verdict, known, applicable = screen_trial(pt, facts)
        if verdict == "ineligible" and not include_ineligible and not explicit:
            continue
        fit = disease_fit(pt, facts) if verdict != "ineligible" or explicit else 0.0
        share = known / applicable if applicable else 1.0
        dist, site = _distance(pt, location, geocode) if verdict != "ineligible" or explicit else (None, None)
        if dist is not None and radius is not None and dist > radius and site is not None:
            site += f" (beyond the {radius:g} km travel radius)"
        screened.append((_score(verdict, fit, share, dist), pt, verdict, fit, share, dist, site))
    screened.sort(key=lambda x: (-x[0], x[1].trial_id))
    results: list[TrialResult] = []
    questions: dict[str, list[str]] = {}
    for rank, (score, pt, verdict, fit, share, dist, site) in enumerate(screened):
        explicit = pt.trial_id in wanted or (pt.registry_id is not None and pt.registry_id in wanted)
        crit_results: list[CriterionResult] = []
        if explicit or rank < detail_top:
            verdict, crit_results = _full(pt, facts)
            appl = [r for r in crit_results if r.verdict != "not_applicable"]
            share = sum(r.verdict != "unknown" for r in appl) / len(appl) if appl else 1.0
            score = _score(verdict, fit, share, dist)
            if verdict != "ineligible":
                for r in crit_results:
                    for m in r.missing:
                        questions.setdefault(m, [])
                        if pt.trial_id not in questions[m]:
                            questions[m].append(pt.trial_id)
        results.append(
            TrialResult.model_construct(
                trial_id=pt.trial_id,
                registry_id=pt.registry_id,
                title=pt.title,
                status=pt.status,
                verdict=verdict,  # type: ignore[arg-type]
                score=score,
                disease_fit=fit,
                known_share=round(share, 3),
                distance_km=dist,
                nearest_site=site,
                criteria=crit_results,
            )
        )
    results.sort(key=lambda r: (-r.score, r.trial_id))
    warnings = list(patient.warnings or [])
    if skipped_closed:
        warnings.append(f"{skipped_closed} trials not open to enrolment were skipped")
    return MatchReport(
        patient_id=patient.id,
        as_of=as_of,
        results=results,
        next_questions=_next_questions(questions),
        warnings=warnings,
    )


def _next_questions(questions: dict[str, list[str]], limit: int = 20) -> list[NextQuestion]:
    ranked = sorted(questions.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    out = []
    for fact, trials in ranked:
        if fact.startswith("review: "):
            q = fact[len("review: ") :]
        elif fact in (T.terms().get("fact_names") or {}) or fact in (T.terms().get("fact_questions") or {}):
            q = T.question_for(fact)
        elif fact.startswith("has.other_cancer:"):
            concept = fact.split(":", 1)[1]
            what = "" if concept == "cancer" else f" ({T.concept_label(concept)})"
            q = f"Has the patient had another cancer{what} besides the one studied, and is it active?"
        elif fact.startswith("has."):
            q = f"Does the patient have (or had) {T.concept_label(fact[4:])}?"
        else:
            q = T.question_for(fact)
        q = f"{q} (would decide {len(trials)} trial{'s' if len(trials) != 1 else ''})"
        out.append(NextQuestion(fact=fact, question=q, trials=trials))
    return out
