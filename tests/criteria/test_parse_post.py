"""The item parser's modules: ``parse`` keeps its public names and the builder's cache, and
``parse_post.settle_rule`` applies the item's wording to the rule built from it."""

from __future__ import annotations

from trialmatch.criteria import parse, parse_build
from trialmatch.criteria.parse_post import settle_rule
from trialmatch.criteria.rules import And, Has, Not, Or, Review, Window

HAS = Has("brain_metastases", kinds=("condition",))


def test_parse_keeps_its_public_names_and_the_builder_cache() -> None:
    assert set(parse.__all__) == {"MAX_ITEM", "categorise", "clean_text", "parse_item"}
    assert parse.categorise is parse_build.categorise
    assert parse._build_cached is parse_build.build_cached
    parse._build_cached.cache_clear()
    parse.parse_item("No active infection", "inclusion")
    assert parse._build_cached.cache_info().currsize == 1


def test_categorise_tries_the_cue_patterns_in_order() -> None:
    assert parse.categorise("At the physician's discretion, laboratory values") == "investigator_judgement"
    assert parse.categorise("Adequate laboratory values") == "lab"
    assert parse.categorise("Signed informed consent") == "administrative"
    assert parse.categorise("Measurable lesion") == "other"


def test_an_inclusion_written_as_an_exclusion_is_negated() -> None:
    t = "Patients with brain metastases are ineligible."
    assert settle_rule(HAS, t, "inclusion", "cns") == Not(HAS)
    # in brackets it is an aside, and an exclusion item is left as it is
    assert settle_rule(HAS, "Brain metastases (untreated ones are ineligible)", "inclusion", "cns") == HAS
    assert settle_rule(HAS, t, "exclusion", "cns") == HAS


def test_a_negated_presence_among_inclusions_is_negated() -> None:
    assert settle_rule(HAS, "No known brain metastases", "inclusion", "cns") == Not(HAS)
    assert settle_rule(HAS, "Known brain metastases", "inclusion", "cns") == HAS


def test_a_requirement_for_a_subgroup_binds_only_it() -> None:
    t = "For patients with brain metastases, they must be treated and stable"
    r = settle_rule(HAS, t, "inclusion", "cns")
    assert isinstance(r, Or) and r.args[0] == Not(HAS) and isinstance(r.args[1], Review)


def test_a_washout_is_not_a_requirement() -> None:
    surgery = Has("major_surgery", kinds=("procedure",), window=Window(28, "day", "before"))
    within = Has("major_surgery", kinds=("procedure",), window=Window(28, "day", "within"))
    t = "More than 28 days since prior major surgery"
    assert settle_rule(surgery, t, "inclusion", "prior_therapy") == Not(within)
    biopsy = Has("biopsy", kinds=("procedure",), window=Window(28, "day", "before"))
    biopsy_within = Has("biopsy", kinds=("procedure",), window=Window(28, "day", "within"))
    either = settle_rule(Or((surgery, biopsy)), t, "inclusion", "prior_therapy")
    assert either == And((Not(within), Not(biopsy_within)))


def test_a_duration_for_those_on_a_drug_binds_only_them() -> None:
    on = Has("anticoagulant", kinds=("drug",))
    t = "Subjects receiving anticoagulation must be on a stable regimen for at least 2 weeks"
    r = settle_rule(on, t, "inclusion", "prior_therapy")
    assert isinstance(r, Or) and r.args[0] == Not(on) and isinstance(r.args[1], Review)


def test_a_permission_among_exclusions_is_left_to_review() -> None:
    steroid = Has("corticosteroid", kinds=("drug",))
    t = "Subjects who received inhaled corticosteroids for asthma are eligible"
    r = settle_rule(steroid, t, "exclusion", "prior_therapy")
    assert isinstance(r, Review) and r.reason == "permission among exclusions"
    assert settle_rule(steroid, "Systemic corticosteroids are not allowed", "exclusion", "x") == steroid
