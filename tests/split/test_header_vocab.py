"""The header vocabulary file is versioned, well formed and consistent."""

from __future__ import annotations

from pathlib import Path

import yaml

from trialmatch.criteria.split import classify_header

DATA = Path(__file__).resolve().parents[2] / "trialmatch" / "vocab" / "data"


def test_criteria_headers_yaml() -> None:
    d = yaml.safe_load((DATA / "criteria_headers.yaml").read_text(encoding="utf-8"))
    assert isinstance(d["version"], int)
    for key in (
        "inclusion",
        "exclusion",
        "inclusion_sentences",
        "exclusion_sentences",
        "neutral",
        "scope_words",
    ):
        assert d[key] and all(isinstance(x, str) and x.strip() for x in d[key]), key
    assert not set(d["inclusion"]) & set(d["exclusion"])
    for phrase in d["inclusion"]:
        hit = classify_header(phrase + ":")
        assert hit is not None and hit[0] == "inclusion", phrase
    for phrase in d["exclusion"]:
        hit = classify_header(phrase.upper())
        assert hit is not None and hit[0] == "exclusion", phrase
    for phrase in d["exclusion_sentences"]:
        hit = classify_header(phrase.capitalize() + " any of the following:")
        assert hit is not None and hit[0] == "exclusion", phrase


def test_page_labels_yaml() -> None:
    d = yaml.safe_load((DATA / "page_labels.yaml").read_text(encoding="utf-8"))
    assert isinstance(d["version"], int)
    seen: dict[str, str] = {}
    for field, labels in d["fields"].items():
        for label in labels:
            assert isinstance(label, str), (field, label)
            assert label.lower() not in seen, f"{label!r} in {field} and {seen.get(label.lower())}"
            seen[label.lower()] = field
    assert all(isinstance(w, str) for w in d["yes_words"] + d["no_words"])  # YAML 1.1 'no' is quoted
