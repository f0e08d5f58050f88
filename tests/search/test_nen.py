"""NEN condition understanding: vocabulary expansion and the exclusion-mention trap."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest
import yaml

from trialmatch.search.engine import search_ids
from trialmatch.search.index import SearchIndex
from trialmatch.search.query import SearchQuery
from trialmatch.search.textproc import analyse_query, load_vocab, split_criteria

from .conftest import nen_roles


def found(idx: SearchIndex, q: str) -> list[str]:
    return search_ids(idx, SearchQuery(q=q, status=["any"]))


def test_vocab_files_are_versioned() -> None:
    from importlib import resources

    for name in ("nen_search.yaml", "glossary.yaml", "places.yaml"):
        data = yaml.safe_load(resources.files("trialmatch.vocab").joinpath(f"data/{name}").read_text("utf-8"))
        assert isinstance(data.get("version"), int), name
    v = load_vocab()
    for key, c in v.concepts.items():
        assert c.terms, key
        assert all(n in v.concepts for n in c.narrower), key


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("carcinoid", "NCT00000002"),  # neuroendocrine tumor of the small intestine
        ("pNET", "NCT00000001"),
        ("GEP-NET", "NCT00000010"),
        ("NEC", "NCT00000005"),  # small cell carcinoma is a neuroendocrine carcinoma
        ("MiNEN", "NCT00000008"),  # mixed adenoneuroendocrine carcinoma
        ("Merkel cell", "NCT00000007"),
        ("small cell", "NCT00000005"),
        ("pheochromocytoma", "NCT00000009"),  # paraganglioma
        ("neuroendocrine", "NCT00000008"),
    ],
)
def test_expansion_finds(small_index: SearchIndex, query: str, expected: str) -> None:
    assert expected in found(small_index, query)


def test_small_cell_does_not_match_non_small_cell(small_index: SearchIndex) -> None:
    assert "NCT00000003" not in found(small_index, "small cell lung cancer")
    assert "NCT00000003" in found(small_index, "non-small cell lung cancer")
    assert "NCT00000005" not in found(small_index, "non-small cell lung cancer")


def test_concepts_recognised_in_query() -> None:
    groups = analyse_query("GEP-NET with liver metastases")
    assert groups[0].concept == "gep_net"
    assert any("metastasis" in g.phrases for g in groups)


def test_exclusion_lines_are_not_inclusion() -> None:
    inc, exc = split_criteria(
        "Inclusion Criteria:\n- Adults\n- No carcinoid tumour\nExclusion Criteria:\n- NET"
    )
    assert "Adults" in inc and "carcinoid" not in inc
    assert "carcinoid" in exc and "NET" in exc


def test_trial_that_excludes_nen_is_not_found(small_index: SearchIndex) -> None:
    for q in (
        "neuroendocrine",
        "carcinoid",
        "neuroendocrine carcinoma",
        "merkel cell",
        "small cell carcinoma",
    ):
        got = found(small_index, q)
        assert "NCT00000003" not in got, q  # excludes NET/carcinoid in exclusion criteria
        assert "NCT00000004" not in got, q  # "No carcinoid tumour" under inclusion + exclusion list


def test_exclusion_mention_trap_on_real_trials(shared: Path, corpus_index: SearchIndex) -> None:
    """NEN_INDEX marks trials that merely mention NEN ("mention") and NEN trials ("focus"): focus
    trials must rank ahead; mention trials whose conditions/title do not name NEN must not appear
    in the first 20 results."""
    roles = nen_roles(shared)
    present = {r[0] for r in corpus_index.query("SELECT trial_id FROM docs")}
    focus = {t for t, r in roles.items() if r == "focus" and t in present}
    mention = {t for t, r in roles.items() if r == "mention" and t in present}
    assert len(focus) >= 10 and len(mention) >= 50
    ranking = found(corpus_index, "neuroendocrine")
    pos = {t: i for i, t in enumerate(ranking)}
    focus_found = [pos[t] for t in focus if t in pos]
    mention_found = [pos[t] for t in mention if t in pos]
    assert len(focus_found) >= 0.75 * len(focus)
    # most mention trials (exclusion-only mentions) are not returned at all
    assert len(mention_found) <= 0.35 * len(mention)
    assert statistics.median(focus_found) < statistics.median(mention_found or [10**6])
    top20 = ranking[:20]
    vocab_terms = (
        "neuroendocrine",
        "carcinoid",
        "merkel",
        "small cell",
        "islet",
        "paraganglioma",
        "pheochromocytoma",
    )
    for tid in top20:
        if roles.get(tid) != "mention":
            continue
        t = corpus_index.get_trial(tid)
        assert t is not None
        named = " ".join([t.title or "", *t.conditions]).lower()
        assert any(v in named for v in vocab_terms), f"{tid} ranks top-20 only through its criteria"
