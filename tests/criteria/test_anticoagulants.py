"""Anticoagulant kinds (vitamin K antagonists, heparins, direct oral anticoagulants) under one
``anticoagulant``, and what only a later permission sentence names is allowed, not asked about."""

from __future__ import annotations

import pytest

from trialmatch.criteria.history import therapy_rule
from trialmatch.criteria.parse import parse_item
from trialmatch.criteria.rules import Has, Or
from trialmatch.vocab.concepts import concepts_in, is_a


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("warfarin", "vitamin_k_antagonist"),
        ("coumarin-derivative anticoagulants", "vitamin_k_antagonist"),
        ("low molecular weight heparin", "heparin"),
        ("enoxaparin", "heparin"),
        ("rivaroxaban", "doac"),
        ("direct oral anticoagulants", "doac"),
        ("therapeutic anticoagulation", "anticoagulant"),
    ],
)
def test_kinds(text: str, concept: str) -> None:
    assert [h.concept for h in concepts_in(text)] == [concept]
    assert is_a(concept, "anticoagulant")


def _concepts(r: object) -> set[str]:
    if isinstance(r, Has):
        return {r.concept}
    if isinstance(r, Or):
        return {c for a in r.args for c in _concepts(a)}
    return set()


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        (
            "Subject is currently receiving warfarin or other coumarin-derived anticoagulant for treatment, "
            "prophylaxis or otherwise. Therapy with heparin, low molecular weight heparin (LMWH), novel oral "
            "anticoagulants (NOACs) or fondaparinux is allowed.",
            {"vitamin_k_antagonist"},
        ),
        (
            "Patients who are taking warfarin or other oral anticoagulant therapy. The use of alternative "
            "anticoagulation therapy such as systemic low-molecular weight heparin will be acceptable.",
            {"vitamin_k_antagonist"},
        ),
        (
            "Prior treatment with systemic chemotherapy. Patients who have received prior immunotherapy, "
            "including thalidomide, or radiotherapy remain eligible.",
            {"chemotherapy"},
        ),
    ],
)
def test_what_a_later_permission_sentence_names_is_not_asked_about(text: str, asked: set[str]) -> None:
    r = therapy_rule(text, "exclusion")
    assert r is not None and _concepts(r[0]) == asked
    assert parse_item(text, "exclusion").status == "parsed"


def test_a_sentence_that_denies_permission_is_still_asked_about() -> None:
    text = "Current use of warfarin. Concurrent use of rivaroxaban is not allowed."
    r = therapy_rule(text, "exclusion")
    assert r is not None and _concepts(r[0]) == {"vitamin_k_antagonist", "doac"}
