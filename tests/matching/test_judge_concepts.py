"""The judge matches a criterion's concept through the shared vocabulary's is-a tree: the words of the
concept's own names are the concept (a note naming cisplatin satisfies "platinum-based chemotherapy"),
while the qualifiers a longer name adds ("metastatic" breast cancer) must still be in the note."""

from __future__ import annotations

import pytest

from trialmatch.matching.judge import context_for, judge
from trialmatch.matching.judge_text import NoteIndex, content_terms

SCLC = (
    "A 62-year-old man with small cell lung cancer. He received cisplatin and etoposide for 4 cycles in 2025."
)
TESTIS = "A 40-year-old man. He was treated with carboplatin for testicular cancer in 2019."
BREAST = "A 55-year-old woman with breast cancer, stage II, after lumpectomy."


@pytest.mark.parametrize("note", [SCLC, TESTIS])
@pytest.mark.parametrize(
    "criterion",
    [
        "Prior platinum-based chemotherapy",
        "Prior platinum based chemotherapy",
        "Previous platinum-containing chemotherapy",
    ],
)
def test_a_named_platinum_drug_satisfies_platinum_based_chemotherapy(note: str, criterion: str) -> None:
    r = judge(note, criterion, "inclusion")
    assert r.verdict == "met", (criterion, r)
    assert judge(note, criterion, "exclusion").verdict == "met"  # the exclusion applies


def test_a_drug_of_another_class_does_not_satisfy_platinum() -> None:
    note = "A 60-year-old woman. She received paclitaxel and pembrolizumab."
    assert judge(note, "Prior platinum-based chemotherapy", "inclusion").verdict != "met"


def test_qualifiers_of_a_longer_name_are_still_required() -> None:
    assert judge(BREAST, "Metastatic breast cancer", "inclusion").verdict != "met"
    assert (
        judge(
            "A 55-year-old woman with metastatic breast cancer to bone.",
            "Metastatic breast cancer",
            "inclusion",
        ).verdict
        == "met"
    )


def test_the_index_finds_the_concept_through_a_descendant() -> None:
    (term,) = content_terms("platinum-based chemotherapy")
    assert term.startswith("c:platinum|")
    idx: NoteIndex = context_for(SCLC).index
    aff, _neg = idx.find(term)
    assert aff == {1}
    # a plain qualifier next to the concept is still required
    (q,) = [t for t in content_terms("metastatic breast cancer") if t.startswith("c:")]
    assert not context_for(BREAST).index.find(q)[0]
