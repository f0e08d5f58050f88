"""Questions the matcher asks about unknown facts read right to the person answering them."""

from __future__ import annotations


def test_another_cancer_is_asked_as_another_cancer() -> None:
    """An exclusion of other malignancies asks about another cancer, not "cancer" (asked of a
    cancer patient it reads as nonsense)."""
    import datetime as dt

    from trialmatch.criteria.rules import Has
    from trialmatch.matching.facts_has import eval_has
    from trialmatch.patients.derive import PatientFacts
    from trialmatch.patients.load import load_patient
    from trialmatch.web.views import fact_text

    p = load_patient({"id": "p", "age": 60, "cancer": {"name": "neuroendocrine carcinoma"}})
    facts = PatientFacts.build(p, dt.date(2026, 11, 1))
    tri, _, _, missing = eval_has(Has("cancer", kinds=("other_cancer",)), facts)
    assert tri is None and missing == ["has.other_cancer:cancer"]
    assert fact_text("has.other_cancer:cancer") == "another cancer"
    assert fact_text("has.cns_metastases") == "cns metastases"
