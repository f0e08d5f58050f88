"""The judge's rules, tried in order; each returns a Decision or None (= not my business).

Each rule is general (a kind of criterion, a kind of evidence), never keyed to one note.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from trialmatch.matching.judge_base import Decision, Verdict, coverage, term_label, term_labels
from trialmatch.matching.judge_measure import rule_measurement
from trialmatch.matching.judge_people import rule_age_sex, rule_consent, rule_reproductive
from trialmatch.matching.judge_text import content_terms

if TYPE_CHECKING:
    from trialmatch.matching.judge import JudgeContext

__all__ = [
    "INCLUSION_COVERAGE",
    "INCLUSION_MAX_TERMS",
    "RULES",
    "Decision",
    "Verdict",
    "coverage",
    "rule_age_sex",
    "rule_concepts",
    "rule_consent",
    "rule_measurement",
    "rule_negative_inclusion",
    "rule_other_procedure",
    "rule_reproductive",
    "term_label",
    "weighted_coverage",
]

#: Inclusion: share of the criterion's concept weight the note must affirm, and the most terms considered.
INCLUSION_COVERAGE = 0.5
INCLUSION_MAX_TERMS = 6


def weighted_coverage(ctx: JudgeContext, terms: list[str]) -> float:
    """Like :func:`coverage`, named clinical concepts (synonym groups) counting double."""
    if not terms:
        return 0.0
    w = {t: (2.0 if t.startswith(("syn:", "c:")) else 1.0) for t in terms}
    return sum(w[t] for t in terms if ctx.index.find(t)[0]) / sum(w.values())


def _negated_sentences(ctx: JudgeContext, terms: list[str]) -> list[int]:
    out: set[int] = set()
    for k in terms:
        out |= ctx.index.find(k)[1]
    return sorted(out)


_QUANTITY = re.compile(
    r"(?:more than|less than|at least|greater than|fewer than|[<>≤≥]=?)\s{0,3}(?:grade\s{0,2})?\d|"
    r"\b(?:two|three|four|\d)\s(?:or more|lines?|regimens?|prior)\b",
    re.I,
)
_OTHER = re.compile(r"\b(other|another|additional|second|concurrent|concomitant|different|new)\b", re.I)
_NEGATIVE_CRIT = re.compile(
    r"^(?:(?:patients?|subjects?|participants?|individuals?|women|men|females?|males?)\s{1,3}(?:who\s{1,3})?)?"
    r"(?:(?:have|has|had|are|is)\s{1,3})?"
    r"(?:(?:must|should|shall|may)\s{1,3}not(?:\s{1,3}(?:be|have))?|no|not|without|absence of|free of|"
    r"never)\b"
    r"(?!\s{1,3}(?:more|less|greater|fewer|exceeding)\b)(?:\s{1,3}been)?",
    re.I,
)
_HISTORY_NEG = re.compile(
    r"\b(history|diagnos\w*|received|treated|prior|previous\w*|disease|surgery|therapy)\b", re.I
)
_FAMILY = re.compile(
    r"\b(family history|famil(?:y|ial) member|parents?|mother|father|siblings?|relatives?|"
    r"first[- ]degree)\b",
    re.I,
)


def _together(ctx: JudgeContext, terms: list[str]) -> list[int]:
    """Sentences that affirm every term."""
    sets = [ctx.index.find(t)[0] for t in terms]
    return sorted(set.intersection(*sets)) if sets else []


def rule_negative_inclusion(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    """ "No X" as an inclusion is the exclusion of X, read the same way."""
    if kind != "inclusion" or not _NEGATIVE_CRIT.match(text):
        return None
    rest = _NEGATIVE_CRIT.sub("", text, count=1).strip(" ,;:")
    terms = content_terms(rest)
    if not terms or len(terms) > 6:
        return None
    named = [t for t in terms if t.startswith(("c:", "syn:"))] or terms
    if all(ctx.index.find(t)[1] and not ctx.index.find(t)[0] for t in named):
        return Decision(
            "met",
            "The note states the patient does not have " + term_labels(named, text) + ".",
            "negative_inclusion",
            _negated_sentences(ctx, named),
        )
    together = _together(ctx, terms)
    if together:
        return Decision(
            "not_met",
            "The note describes " + term_labels(terms, text) + ".",
            "negative_inclusion",
            together,
        )
    if _HISTORY_NEG.search(rest) and not re.search(r"\b(change|evidence|requirement)\b", rest, re.I):
        return Decision(
            "met",
            "The note does not mention "
            + term_labels(named, text)
            + "; a complete history would, so it is taken as absent.",
            "negative_inclusion_silent",
        )
    return None  # silent: like any inclusion the note does not show, unknown


_UNDERGOING = re.compile(
    r"\b(?:undergo(?:ing)?|scheduled for|planned for|candidates? for)\s+(.{3,120})", re.I
)


def rule_other_procedure(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    """An inclusion for patients undergoing a procedure, when the note describes the patient's procedure
    and it is another one: the note is complete about what was done."""
    if kind != "inclusion":
        return None
    m = _UNDERGOING.search(text)
    done = [f for f in ctx.patient.facts or [] if f.kind == "procedure"]
    if not m or not done:
        return None
    terms = content_terms(m.group(1))
    if not terms or coverage(ctx, terms)[0] > 0:
        return None
    sents = [i for i, s in enumerate(ctx.sentences) if any(f.source_text == s for f in done)]
    names = ", ".join(sorted({f.name for f in done}))
    return Decision("not_met", f"The note describes another procedure ({names}).", "other_procedure", sents)


_PAREN = re.compile(r"\([^()]{0,300}\)")


def rule_concepts(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    main = _PAREN.sub(" ", text) if kind == "inclusion" else text  # examples and definitions in brackets
    terms = content_terms(main)
    if not terms or _FAMILY.search(text):  # a relative's disease is not the patient's
        return None
    cov, sents, neg = coverage(ctx, terms)
    named = [t for t in terms if t.startswith(("c:", "syn:"))]
    if kind == "exclusion" and named and cov == 0 and all(ctx.index.find(t)[1] for t in named):
        return Decision(
            "not_met",
            "The note states the patient does not have " + term_labels(named, text) + ".",
            "concepts_negated",
            _negated_sentences(ctx, named),
        )
    if kind == "inclusion":
        if len(terms) <= INCLUSION_MAX_TERMS and weighted_coverage(ctx, terms) >= INCLUSION_COVERAGE:
            return Decision(
                "met",
                "The note describes " + term_labels(terms, text) + ".",
                "concepts",
                sents,
            )
        if cov == 0 and neg and len(terms) <= 3:
            return Decision(
                "not_met", "The note rules this out.", "concepts_negated", _negated_sentences(ctx, terms)
            )
        return None
    key_terms = named or terms
    if len(key_terms) <= 3 and cov == 0 and all(ctx.index.find_possible(t) for t in key_terms):
        sents_p = sorted(set().union(*(ctx.index.find_possible(t) for t in key_terms)))
        labels = term_labels(key_terms, text)
        return Decision(
            "unknown",
            f"The note raises {labels} as a possibility, not a diagnosis.",
            "concepts_possible",
            sents_p,
        )
    # "other malignancy", "more than 1 regimen", "> grade 1": presence alone does not decide
    if _OTHER.search(text) or _QUANTITY.search(text):
        return None
    together = _together(ctx, terms)
    if together and len(terms) <= 2:
        sents = together
        return Decision("met", "The note describes " + term_labels(terms, text) + ".", "concepts", sents)
    return None


def rule_computable(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    from trialmatch.matching.judge_computed import rule_computable as computed

    return computed(ctx, text, kind)


def _rule_status(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    from trialmatch.matching.judge_status import rule_healthy, rule_smoking

    return rule_healthy(ctx, text, kind) or rule_smoking(ctx, text, kind)


def _rule_vitals(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    from trialmatch.matching.judge_vitals import rule_vitals

    return rule_vitals(ctx, text, kind)


def _rule_inclusion_kinds(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    from trialmatch.matching.judge_inclusion import rule_conditional, rule_duration

    return rule_conditional(ctx, text, kind) or rule_duration(ctx, text, kind)


def _rule_silent(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    from trialmatch.matching.judge_silent import rule_silent_exclusion

    return rule_silent_exclusion(ctx, text, kind)


RULES: tuple[Callable[[JudgeContext, str, str], Decision | None], ...] = (
    rule_reproductive,
    rule_consent,
    rule_age_sex,
    _rule_status,
    _rule_vitals,
    rule_computable,
    rule_measurement,
    _rule_inclusion_kinds,
    rule_negative_inclusion,
    rule_other_procedure,
    rule_concepts,
    _rule_silent,
)
