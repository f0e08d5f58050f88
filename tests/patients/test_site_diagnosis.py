"""A diagnosis given with its primary site implies the site-specific diagnosis (NEC of the
pancreas is a pancreatic neuroendocrine neoplasm), never a sibling (it is not a pancreatic NET)."""

from __future__ import annotations

import datetime as dt

import pytest

from trialmatch.criteria.rules import Has
from trialmatch.matching.facts_has import eval_has
from trialmatch.patients.derive import PatientFacts
from trialmatch.patients.items import implied_by_site
from trialmatch.patients.load import load_patient

AS_OF = dt.date(2026, 11, 1)


@pytest.mark.parametrize(
    ("diagnosis", "site", "implied", "not_implied"),
    [
        ("nen.nec", "site.pancreas", {"nen.pnen", "nen.pnec", "nen.gep"}, {"nen.pnet", "nen.gep_net"}),
        ("nen.net.g2", "site.pancreas", {"nen.pnen", "nen.pnet", "nen.gep_net"}, {"nen.pnec"}),
        ("nen.net.g1", "site.duodenum", {"nen.si_net", "nen.gep_net", "nen.gep"}, {"nen.pnen"}),
        ("nen.net", "site.lung", {"nen.lung_net"}, {"nen.gep", "nen.si_net"}),
        ("nen.nec", "site.lung", set(), {"nen.lung_net"}),
        ("pancreatic_cancer", "site.pancreas", set(), {"nen.pnen"}),
    ],
)
def test_implied_by_site(diagnosis: str, site: str, implied: set[str], not_implied: set[str]) -> None:
    got = implied_by_site(frozenset({diagnosis}), frozenset({site}))
    assert implied <= got
    assert not (not_implied & got)


def test_no_site_implies_nothing() -> None:
    assert implied_by_site(frozenset({"nen.nec"}), frozenset()) == frozenset()


def _facts(name: str, site: str | None) -> PatientFacts:
    cancer: dict[str, object] = {"name": name}
    if site:
        cancer["primary_site"] = site
    p = load_patient({"id": "p", "age": 60, "sex": "female", "cancer": cancer})
    return PatientFacts.build(p, AS_OF)


def test_pancreatic_nec_meets_a_pancreatic_nen_condition() -> None:
    rule = Has("nen.pnen", kinds=("diagnosis",))
    assert eval_has(rule, _facts("neuroendocrine carcinoma", "pancreas"))[0] is True
    assert eval_has(rule, _facts("neuroendocrine carcinoma", "lung"))[0] is False


def test_pancreatic_nec_is_not_a_pancreatic_net() -> None:
    rule = Has("nen.pnet", kinds=("diagnosis",))
    assert eval_has(rule, _facts("neuroendocrine carcinoma", "pancreas"))[0] is False
