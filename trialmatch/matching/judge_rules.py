"""The judge's rules, tried in order; each returns a Decision or None (= not my business).

Each rule is general (a kind of criterion, a kind of evidence), never keyed to one note.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from trialmatch.matching.judge_text import age_range, content_terms, has_phrase, rules_vocab, sex_restriction

if TYPE_CHECKING:
    from trialmatch.matching.judge import JudgeContext

__all__ = ["RULES", "Decision", "coverage"]

Verdict = Literal["met", "not_met", "unknown", "not_applicable"]


@dataclass
class Decision:
    verdict: Verdict
    explanation: str
    rule: str
    sentences: list[int] = field(default_factory=list)


def _first_sentence_with_age(ctx: JudgeContext) -> list[int]:
    for i, s in enumerate(ctx.sentences[:3]):
        if re.search(r"\d\s?(?:-|\s)?(?:year|yo|y/o|month|week)|\bage", s, re.I):
            return [i]
    return [0] if ctx.sentences else []


def rule_reproductive(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    low = text.lower()
    if not has_phrase("reproductive_terms", low):
        return None
    voc = rules_vocab()
    ev = _first_sentence_with_age(ctx)
    only = sex_restriction(text)
    if only in ("male", "female") and ctx.sex in ("male", "female") and ctx.sex != only:
        return Decision(
            "not_applicable",
            f"Reproductive item for {only} patients; the patient is {ctx.sex}.",
            "reproductive_na",
            ev,
        )
    # a criterion with other substantial content besides the reproductive part is not only about it
    who = None
    if ctx.sex == "male":
        who = "the patient is male"
    elif ctx.age is not None and ctx.age < float(voc["reproductive_min_age"]):
        who = f"the patient is a child ({ctx.age:g} years)"
    elif ctx.age is not None and ctx.age >= float(voc["reproductive_max_age"]) and ctx.sex == "female":
        who = f"the patient is a woman of {ctx.age:g}, past child-bearing age"
    if who:
        if (
            kind == "inclusion"
            and re.search(r"\b(non-?pregnant|not pregnant)\b", low)
            and re.search(r"\b(male|men)\b", low)
        ):
            return None  # "male and non-pregnant females aged ..." is an age/sex item
        return Decision("not_applicable", f"Reproductive item; {who}.", "reproductive_na", ev)
    preg = [i for i, s in enumerate(ctx.sentences) if re.search(r"pregnan|gestation|gravida", s, re.I)]
    if ctx.pregnant:
        if (
            kind == "inclusion"
            and re.search(r"^(?:term )?pregnan|\bpregnant\b", low)
            and not re.search(r"\bnot pregnant|non-?pregnant|negative pregnancy", low)
        ):
            return Decision("met", "The note states the patient is pregnant.", "pregnant", preg)
        if kind == "exclusion" and len(content_terms(text)) <= 3 and not re.search(r"planning|plan to", low):
            return Decision("met", "The note states the patient is pregnant.", "pregnant", preg)
        if kind == "exclusion":
            return None
    if kind == "inclusion":
        if re.search(r"\b(are|is) not pregnant\b|^non-?pregnant", low) and ctx.sex == "female":
            return Decision("met", "Nothing in the note suggests pregnancy.", "not_pregnant", ev)
        if re.search(r"^(?:term )?pregnan", low):
            return Decision("not_met", "The note does not describe a pregnancy.", "not_pregnant", ev)
        return None
    if ctx.pregnant is False:
        return Decision("not_met", "The note states the patient is not pregnant.", "not_pregnant", preg)
    return Decision(
        "unknown",
        "A woman of child-bearing age; the note does not say whether she is pregnant or nursing.",
        "reproductive_silent",
        ev,
    )


_OTHER_ABILITY = re.compile(
    r"\b(oral medication|take oral|orally|swallow|tablets?|sputa|sputum|mri|lung function|"
    r"insurance|speak|english|french|language|travel|homestead|deliver|opted|contacted|"
    r"mail|literate|read|write|infusion|communicate)\b",
    re.I,
)
_WILLING = re.compile(r"^(?:\w+\s){0,3}(willing|willingness|agrees?|consents?)\b", re.I)


def rule_consent(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    low = text.lower()
    if re.search(r"\b(poor|non-?|not)\s?(complian|adheren|complied)", low):
        return None  # past behaviour, not consent: the concepts decide
    willing = kind == "inclusion" and _WILLING.search(low) and not _OTHER_ABILITY.search(low)
    if not willing and (not has_phrase("consent_terms", low) or _OTHER_ABILITY.search(low)):
        return None
    if len(text) > 260:
        return None
    if not ctx.consent:
        return Decision("unknown", "The note does not say whether the patient consents.", "consent_unknown")
    if kind == "inclusion":
        return Decision(
            "met",
            "The note states the patient will give informed consent and comply.",
            "consent",
            ctx.consent,
        )
    return Decision(
        "not_met",
        "The note states the patient will give informed consent and comply.",
        "consent",
        ctx.consent,
    )


_MENOPAUSE_AGE = 50.0


def rule_age_sex(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    ar = age_range(text)
    sr = sex_restriction(text)
    low = text.lower()
    short = len(text) < 60  # "Postmenopausal women", not a definition of menopause
    if ar is None and short and re.search(r"\bpost-?menopaus", low):  # an age bound when no age is written
        ar = (_MENOPAUSE_AGE, None, "postmenopausal")
    elif ar is None and short and re.search(r"\bpre-?menopaus", low):
        ar = (None, _MENOPAUSE_AGE - 1e-6, "premenopausal")
    if ar is None and sr is None:
        return None
    ev = _first_sentence_with_age(ctx)
    reasons: list[str] = []
    ok = True
    known = True
    if ar is not None:
        lo, hi, span = ar
        if ctx.age is None:
            known = False
        else:
            inside = (lo is None or ctx.age >= lo) and (hi is None or ctx.age <= hi)
            ok = ok and inside
            reasons.append(f"age {ctx.age:g} {'is' if inside else 'is not'} within '{span}'")
    if sr in ("female", "male"):
        if ctx.sex is None:
            known = False
        else:
            same = ctx.sex == sr
            ok = ok and same
            reasons.append(f"sex {ctx.sex} {'matches' if same else 'does not match'} {sr}")
    elif sr == "any":
        reasons.append("both sexes are eligible")
    rest = _rest_terms(text)
    if ar is None and sr is not None and rest and sr != "any" and (ctx.sex is None or ctx.sex == sr):
        return None  # "women with breast cancer": the disease decides, not the word "women"
    why = "; ".join(reasons)
    if kind == "inclusion":
        if known and not ok:
            return Decision("not_met", why[:1].upper() + why[1:] + ".", "age_sex", ev)
        if not known:
            return Decision("unknown", "The note does not give the patient's age or sex.", "age_sex_unknown")
        if rest:
            cov, sents, neg = coverage(ctx, rest)
            if cov >= 0.99 and not neg:
                return Decision(
                    "met",
                    why[:1].upper() + why[1:] + "; the rest of the criterion is in the note.",
                    "age_sex_plus",
                    ev + sents,
                )
            return (
                None
                if cov > 0
                else Decision(
                    "unknown",
                    why[:1].upper() + why[1:] + "; the note does not show the rest of the criterion.",
                    "age_sex_partial",
                    ev,
                )
            )
        return Decision("met", why[:1].upper() + why[1:] + ".", "age_sex", ev)
    # exclusion: the excluded group
    if known and ok and not rest:
        return Decision("met", why[:1].upper() + why[1:] + " (excluded group).", "age_sex", ev)
    if known and not ok:
        if sr in ("female", "male") and ctx.sex is not None and ctx.sex != sr:
            return Decision(
                "not_applicable",
                why[:1].upper() + why[1:] + ": this exclusion concerns another group.",
                "age_sex_na",
                ev,
            )
        return Decision(
            "not_met",
            why[:1].upper() + why[1:] + ": the patient is not in the excluded group.",
            "age_sex",
            ev,
        )
    return None


def _rest_terms(text: str) -> list[str]:
    ar = age_range(text)
    t = text
    if ar and ar[2] not in ("adult", "child"):
        for span in ar[2].split("; "):
            t = t.replace(span, " ")
    terms = content_terms(t)
    drop = {
        "w:sex",
        "w:gender",
        "w:inclus",
        "w:older",
        "w:younger",
        "w:greater",
        "w:least",
        "w:life",
        "w:between",
        "w:time",
        "w:sign",
        "w:inform",
        "w:consent",
        "w:form",
        "w:day",
        "w:kg",
        "w:weight",
        "w:rang",
        "w:ani",
        "w:entri",
        "w:particip",
        "w:signing",
        "w:visit",
        "syn:child",
        "w:and/or",
        "w:m",
        "w:f",
        "w:nonpregn",
        "w:non-pregn",
        "w:pregnant",
        "syn:pregnant",
        "w:elig",
        "w:adult",
        "w:both",
        "w:old",
        "w:postmenopaus",
        "w:premenopaus",
    }
    return [k for k in terms if k not in drop]


def coverage(ctx: JudgeContext, terms: list[str]) -> tuple[float, list[int], bool]:
    """Share of ``terms`` affirmed in the note, the sentences, and whether any is only negated."""
    if not terms:
        return 0.0, [], False
    hit = 0
    sents: set[int] = set()
    negated = False
    for key in terms:
        aff, neg = ctx.index.find(key)
        if aff:
            hit += 1
            sents |= aff
        elif neg:
            negated = True
    return hit / len(terms), sorted(sents), negated


_MEASURE_NUM = re.compile(
    r"[<>≤≥=]|\d|\b(less|greater|more|lower|higher|above|below|abnormal|elevated|"
    r"normal|uln|adequate)\b",
    re.I,
)


def rule_measurement(ctx: JudgeContext, text: str, kind: str) -> Decision | None:
    m = has_phrase("measurement_terms", text.lower())
    if kind == "exclusion" or not m or not _MEASURE_NUM.search(text):
        return None
    # a value in the note for this measure?
    term = m.group(0).lower()
    hits = [i for i, s in enumerate(ctx.sentences) if re.search(rf"\b{re.escape(term)}", s, re.I)]
    if hits:
        return None  # let the concept rule look (values are compared by the evaluator when available)
    if kind == "exclusion" and len(content_terms(text)) > 6:
        return None
    return Decision("unknown", f"The note gives no {term} value.", "measurement_missing")


#: Inclusion: share of the criterion's concept weight the note must affirm, and the most terms considered.
INCLUSION_COVERAGE = 0.5
INCLUSION_MAX_TERMS = 6


def weighted_coverage(ctx: JudgeContext, terms: list[str]) -> float:
    """Like :func:`coverage`, named clinical concepts (synonym groups) counting double."""
    if not terms:
        return 0.0
    w = {t: (2.0 if t.startswith(("syn:", "c:")) else 1.0) for t in terms}
    return sum(w[t] for t in terms if ctx.index.find(t)[0]) / sum(w.values())


def term_label(term: str) -> str:
    """A readable name for a term key (``c:mi|syn:myocardial infarction`` -> ``myocardial infarction``)."""
    head = term.split("|", 1)
    if len(head) == 2 and head[1]:
        return " ".join(k.split(":", 1)[-1] for k in head[1].split("+"))
    return term.split(":", 1)[-1].replace("_", " ")


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
            "The note states the patient does not have " + ", ".join(term_label(t) for t in named) + ".",
            "negative_inclusion",
            _negated_sentences(ctx, named),
        )
    together = _together(ctx, terms)
    if together:
        return Decision(
            "not_met",
            "The note describes " + ", ".join(term_label(t) for t in terms) + ".",
            "negative_inclusion",
            together,
        )
    if _HISTORY_NEG.search(rest) and not re.search(r"\b(change|evidence|requirement)\b", rest, re.I):
        return Decision(
            "met",
            "The note does not mention "
            + ", ".join(term_label(t) for t in named)
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
            "The note states the patient does not have " + ", ".join(term_label(t) for t in named) + ".",
            "concepts_negated",
            _negated_sentences(ctx, named),
        )
    if kind == "inclusion":
        if len(terms) <= INCLUSION_MAX_TERMS and weighted_coverage(ctx, terms) >= INCLUSION_COVERAGE:
            return Decision(
                "met",
                "The note describes " + ", ".join(term_label(t) for t in terms) + ".",
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
        labels = ", ".join(term_label(t) for t in key_terms)
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
        return Decision(
            "met", "The note describes " + ", ".join(term_label(t) for t in terms) + ".", "concepts", sents
        )
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
