"""The splitter's phrase lists come from criteria_headers.yaml and are used."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from trialmatch.criteria import split_headers
from trialmatch.criteria.split import classify_header, split_criteria
from trialmatch.criteria.split_headers import header_vocab

DATA = Path(__file__).resolve().parents[2] / "trialmatch" / "vocab" / "data" / "criteria_headers.yaml"


def _yaml() -> dict[str, Any]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def test_vocab_loads() -> None:
    d = _yaml()
    v = header_vocab()
    assert v.version == d["version"] >= 2
    assert set(d["header_words"]["kinds"]) == {"inclusion", "exclusion"}
    for key in ("clear_scope_words", "clear_scope_starts", "scope_reset_starts", "continuation_starts"):
        assert d[key] and all(isinstance(w, str) and w.strip() for w in d[key]), key
    assert d["qualifier_links"]["always"] and d["qualifier_links"]["scoped"]


def test_clear_scope_words_make_scope_labels() -> None:
    d = _yaml()
    for w in d["clear_scope_words"]:
        items = split_criteria(f"Inclusion Criteria:\n- Age >= 18\nPhase II {w}\n- ECOG 0-1")
        assert [(i.text, i.scope) for i in items] == [("Age >= 18", None), ("ECOG 0-1", f"Phase II {w}")], w
    for w in d["clear_scope_starts"]:
        items = split_criteria(f"Inclusion Criteria:\n- Age >= 18\n{w.capitalize()} 2\n- ECOG 0-1")
        assert items[1].scope == f"{w.capitalize()} 2", w


def test_header_words_and_links() -> None:
    d = _yaml()
    for kind in d["header_words"]["kinds"]:
        for q in d["header_words"]["qualifiers"]:
            hit = classify_header(f"{q} {kind} criteria STEP 2")
            assert hit == (kind, "STEP 2", ""), (q, kind)
        for q in d["header_words"]["flow_qualifiers"]:
            items = split_criteria(
                f"Inclusion Criteria: - Adults {q.upper()} {kind.upper()} CRITERIA: - Pregnant"
            )
            assert items[-1].kind == kind and items[-1].text == "Pregnant", (q, kind)
    for link in d["qualifier_links"]["always"]:
        assert classify_header(f"Exclusion criteria {link} patients with NET:") == ("exclusion", None, "")
    for link in d["qualifier_links"]["scoped"]:
        assert classify_header(f"Inclusion criteria {link} Part 2:") == ("inclusion", "Part 2", "")
    for w in d["scope_reset_starts"]:
        assert classify_header(f"Inclusion criteria ({w} cohorts and phases):") == ("inclusion", None, "")


def test_continuation_starts() -> None:
    for w in _yaml()["continuation_starts"]:
        items = split_criteria(
            f"Inclusion Criteria:\n- ANC >= 1.5\n\n{w.capitalize()}: fasting sample\n- ECOG 0-1"
        )
        assert [i.text for i in items] == [f"ANC >= 1.5 {w.capitalize()}: fasting sample", "ECOG 0-1"], w


@pytest.fixture
def use_vocab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dict[str, Any]], None]]:
    """Point the loader at an edited copy of the vocabulary file."""
    path = tmp_path / "criteria_headers.yaml"
    monkeypatch.setattr(split_headers, "_VOCAB_PATH", path)

    def write(d: dict[str, Any]) -> None:
        path.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
        header_vocab.cache_clear()

    yield write
    header_vocab.cache_clear()


def test_vocab_file_is_what_is_used(use_vocab: Callable[[dict[str, Any]], None]) -> None:
    d = _yaml()
    text = (
        "Inclusion Criteria:\n- ANC >= 1.5\n\nCaveat: fasting sample\n- ECOG 0-1\nNET arm only\n\nKi-67 < 20%"
    )
    use_vocab(d)
    before = split_criteria(text)
    assert [i.text for i in before][:2] == ["ANC >= 1.5", "Caveat: fasting sample"]
    assert before[-1].scope == "NET arm only"
    d["continuation_starts"].append("caveat")
    d["clear_scope_words"].remove("only")
    use_vocab(d)
    after = split_criteria(text)
    assert after[0].text == "ANC >= 1.5 Caveat: fasting sample"
    assert after[-1].scope is None
