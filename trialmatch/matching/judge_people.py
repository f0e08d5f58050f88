"""Rules about who the patient is: reproductive items, consent and compliance, age and sex bounds.

Part of the judge's rules (:data:`trialmatch.matching.judge_rules.RULES`); each returns a
:class:`~trialmatch.matching.judge_base.Decision` or None (= not my business).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from trialmatch.matching.judge_base import Decision, coverage
from trialmatch.matching.judge_demographics import age_range, sex_restriction
from trialmatch.matching.judge_text import content_terms, has_phrase, rules_vocab

if TYPE_CHECKING:
    from trialmatch.matching.judge import JudgeContext

__all__ = ["rule_age_sex", "rule_consent", "rule_reproductive"]


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
