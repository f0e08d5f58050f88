"""Cancer history beyond the cancer under study: CNS metastases (with the usual exceptions:
treated and stable, off steroids for N days) and other malignancies (active or within a window,
with excepted cancers)."""

from __future__ import annotations

from trialmatch.criteria.clinical import _concept_of, _hits, any_of, concept_hits, split_exceptions
from trialmatch.criteria.lowre import Lowered
from trialmatch.criteria.rules import And, Has, Not, Rule, Window
from trialmatch.criteria.temporal import find_windows
from trialmatch.vocab.concepts import ConceptHit, is_a
from trialmatch.vocab.patterns import pattern

__all__ = ["cns_rule", "other_malignancy_rule"]

_CNS_IDS = frozenset(("brain_metastases", "cns_metastases", "leptomeningeal_disease"))
_CNS_METS = pattern("history.cns_mets")
_CNS_ALLOWED = pattern("history.cns_allowed")
_CNS_ACTIVE = pattern("history.cns_active")
_STEROID = pattern("history.steroid")
_ON_STEROIDS = pattern("history.on_steroids")


def cns_rule(text: str) -> tuple[Rule, str] | None:
    """CNS metastases with the usual exceptions (treated and stable; off steroids N days)."""
    hits0 = concept_hits(text)
    if not hits0 or _CNS_IDS.isdisjoint(map(_concept_of, hits0)):
        return None  # (one C test: most items name none)
    hits = [h for h in hits0 if h.concept in _CNS_IDS]
    if all(h.concept == "leptomeningeal_disease" for h in hits) and _CNS_METS.search(text):
        # "CNS or leptomeningeal metastases"
        hits.append(ConceptHit("cns_metastases", hits[0].start, hits[0].end, hits[0].text))
    low = text.lower()  # (the texts searched below; low=: no memo entry for it)
    ids = {h.concept for h in hits}
    allowed = _CNS_ALLOWED.search(low, low=low)
    active_word = _CNS_ACTIVE.search(low, low=low)
    rules: list[Rule] = []
    if "leptomeningeal_disease" in ids:
        rules.append(Has("leptomeningeal_disease", kinds=("metastasis", "condition")))
    if ids - {"leptomeningeal_disease"}:
        if allowed or active_word:
            rules.append(Has("cns_metastases", kinds=("metastasis", "condition"), status="active"))
            sm = _STEROID.search(low, low=low)
            if sm:
                w = None
                for win, a, _ in find_windows(text):
                    if abs(a - sm.start()) < 120:
                        w = Window(amount=win.amount, unit=win.unit, relation="within", anchor=win.anchor)
                        break
                if w is not None:
                    rules.append(
                        And(
                            (
                                Has("brain_metastases", kinds=("metastasis", "condition")),
                                Has("corticosteroid", kinds=("medication", "treatment"), window=w),
                            )
                        )
                    )
                elif _ON_STEROIDS.search(low, low=low):
                    rules.append(
                        And(
                            (
                                Has("brain_metastases", kinds=("metastasis", "condition")),
                                Has("corticosteroid", kinds=("medication", "treatment"), status="active"),
                            )
                        )
                    )
        else:
            rules.append(Has("cns_metastases", kinds=("metastasis", "condition")))
    r = any_of(rules)
    return (r, "metastases") if r is not None else None


# searched on the lower-cased text where that is the same search (only spans and truth are read)
_OTHER_CA = Lowered(pattern("history.other_cancer"))
_NO_OTHER = Lowered(pattern("history.no_other"))
_ACTIVE_CANCER = Lowered(pattern("history.active_cancer"))
_REMISSION = Lowered(pattern("history.remission"))
_LEADING_NO = Lowered(pattern("history.leading_no"))


def other_malignancy_rule(text: str, kind: str) -> tuple[Rule, str] | None:
    if not _OTHER_CA.search(text):
        return None
    if kind == "inclusion" and not _NO_OTHER.search(text):
        return None  # an inclusion naming the malignancy under study is not about other cancers
    main, exc = split_exceptions(text)
    excepted = tuple(
        sorted(
            {
                h.concept
                for h in _hits(exc, ("disease", "histology"))
                if is_a(h.concept, "cancer")
                and h.concept != "cancer"  # "except cancer" would except everything
            }
        )
    )
    status = "active" if _ACTIVE_CANCER.search(main) else "any"
    w: Window | None = None
    rem = _REMISSION.search(text)
    for win, a, _ in find_windows(text):
        if win.relation == "after":
            continue
        if rem is not None and (rem.start() - 80 <= a <= rem.end() + 40):
            w = Window(amount=win.amount, unit=win.unit, relation="within", anchor=win.anchor)
            break
        if win.relation == "within":
            w = win
            break
    quals: tuple[tuple[str, object], ...] = (("except", excepted),) if excepted else ()
    r: Rule = Has("cancer", kinds=("other_cancer",), status=status, window=w, qualifiers=quals)  # type: ignore[arg-type]
    if kind == "inclusion" and _LEADING_NO.search(text):
        r = Not(r)
    return r, "other_malignancy"
