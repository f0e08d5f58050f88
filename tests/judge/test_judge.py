"""The single-criterion judge on hand-written pairs, and the CLI end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trialmatch.matching.judge import JudgeResult, context_for, judge
from trialmatch.matching.judge_demographics import age_range, sex_restriction
from trialmatch.matching.judge_text import content_terms

MAN = (
    "0. A 64-year-old man presents with chest pain and shortness of breath.\n"
    "1. He has a history of type 2 diabetes and hypertension; no history of stroke.\n"
    "2. He had a heart attack five years ago.\n"
    "3. His mother had breast cancer.\n"
    "4. The patient will provide informed consent, and will comply with the trial protocol."
)
WOMAN = (
    "A 32-year-old woman presents with fever and productive cough for 3 days. "
    "Chest x-ray shows a right lower lobe infiltrate. She was treated for breast carcinoma in 2015. "
    "The patient will provide informed consent."
)


@pytest.fixture(scope="module")
def man():  # type: ignore[no-untyped-def]
    return context_for(MAN)


@pytest.fixture(scope="module")
def woman():  # type: ignore[no-untyped-def]
    return context_for(WOMAN)


@pytest.mark.parametrize(
    ("criterion", "kind", "verdict"),
    [
        ("Age 18 years or older", "inclusion", "met"),
        ("Patients aged 18-60 years", "inclusion", "not_met"),
        ("Less than 18 years of age", "exclusion", "not_met"),
        ("Male or female", "inclusion", "met"),
        ("Pregnant or breastfeeding women", "exclusion", "not_applicable"),
        ("Women of childbearing potential must use contraception", "inclusion", "not_applicable"),
        ("Signed informed consent", "inclusion", "met"),
        ("Unable to give informed consent", "exclusion", "not_met"),
        ("History of myocardial infarction", "exclusion", "met"),  # "heart attack" in the note
        ("Prior stroke", "exclusion", "not_met"),  # negated in the note
        ("Diabetes mellitus", "inclusion", "met"),  # synonym / child concept
        ("Active hepatitis B infection", "exclusion", "not_met"),  # silent: assumed absent
        ("Hemoglobin >= 9 g/dL", "inclusion", "unknown"),  # no value in the note
        ("ECOG performance status 0-1", "inclusion", "unknown"),
    ],
)
def test_judge_man(man, criterion: str, kind: str, verdict: str) -> None:  # type: ignore[no-untyped-def]
    r = judge(man, criterion, kind)  # type: ignore[arg-type]
    assert isinstance(r, JudgeResult)
    assert r.verdict == verdict, (criterion, r)
    assert r.explanation


def test_evidence_cites_sentences(man) -> None:  # type: ignore[no-untyped-def]
    r = judge(man, "History of myocardial infarction", "exclusion")
    assert any("heart attack" in e for e in r.evidence)
    r = judge(man, "Prior stroke", "exclusion")
    assert any("no history of stroke" in e for e in r.evidence)
    r = judge(man, "Age 18 years or older", "inclusion")
    assert any("64-year-old" in e for e in r.evidence)


def test_judge_woman(woman) -> None:  # type: ignore[no-untyped-def]
    assert (
        judge(woman, "Pregnant women", "exclusion").verdict == "unknown"
    )  # of child-bearing age, not stated
    assert judge(woman, "Male patients", "inclusion").verdict == "not_met"
    # parent concept: malignancy covers breast carcinoma
    assert judge(woman, "Any malignancy", "exclusion").verdict == "met"
    assert judge(woman, "Patients with fever or cough", "inclusion").verdict == "met"


def test_profile_input() -> None:
    prof = {"age": 70, "sex": "male", "conditions": [{"name": "heart failure"}]}
    assert judge(prof, "Pregnancy", "exclusion").verdict == "not_applicable"
    assert judge(prof, "Congestive heart failure", "exclusion").verdict == "met"
    assert judge(prof, "Age 18 to 65", "inclusion").verdict == "not_met"


def test_criterion_helpers() -> None:
    assert age_range("adults 18-70 years of age")[:2] == (18, 70)  # type: ignore[index]
    lo, hi, _ = age_range("Male Age 2 months to 20 years of age")  # type: ignore[misc]
    assert abs(lo - 2 / 12) < 1e-6 and hi == 20
    assert age_range("within 6 months of enrolment") is None
    assert age_range("Pregnant, with gestational age <23 weeks") is None
    assert sex_restriction("Patients of both sexes") == "any"
    assert sex_restriction("Postmenopausal women") == "female"
    assert content_terms("Patients with a history of heart attack") == content_terms("myocardial infarction")


def test_untrusted_criterion_text(man) -> None:  # type: ignore[no-untyped-def]
    for evil in ["", "(" * 20000, "age " * 5000, "\x00" * 100, "≥" * 3000 + "18 years"]:
        r = judge(man, evil, "exclusion")
        assert r.verdict in ("met", "not_met", "unknown", "not_applicable")


def _app():  # type: ignore[no-untyped-def]
    from trialmatch.cli.main import app

    return app


def test_cli_single(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text(MAN)
    res = CliRunner().invoke(
        _app(),
        [
            "judge",
            "--patient",
            str(note),
            "--criterion",
            "Pregnant women",
            "--kind",
            "exclusion",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["verdict"] == "not_applicable" and set(out) == {"verdict", "explanation", "evidence"}


def test_cli_pairs_subprocess(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    lines = [
        {"id": "a", "patient": MAN, "criterion": "Age >= 18", "kind": "inclusion"},
        {"id": "b", "patient": {"age": 30, "sex": "female"}, "criterion": "Pregnancy", "kind": "exclusion"},
        {"id": "c", "patient": MAN, "criterion": "Prior stroke", "kind": "exclusion"},
    ]
    pairs.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    exe = Path(sys.executable).parent / "trialmatch"
    proc = subprocess.run(
        [str(exe), "judge", "--pairs", str(pairs), "--format", "jsonl"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [o["id"] for o in out[:3]] == ["a", "b", "c"]
    assert [o["verdict"] for o in out[:3]] == ["met", "unknown", "not_met"]
    assert out[3]["verdict"] == "unknown" and out[3].get("error")


def test_cli_errors(tmp_path: Path) -> None:
    res = CliRunner().invoke(_app(), ["judge", "--criterion", "x"])
    assert res.exit_code == 2
    res = CliRunner().invoke(_app(), ["judge", "--patient", str(tmp_path / "nope.txt"), "--criterion", "x"])
    assert res.exit_code == 2


def test_age_range_ambiguity_and_descriptive_child() -> None:
    long_def = (
        "Confirmed bacterial meningitis patients: a case that is laboratory-confirmed by culture "
        "of a bacterial pathogen in the cerebrospinal fluid or blood in a child with a clinical "
        "syndrome consistent with meningitis"
    )
    assert age_range(long_def) is None
    assert (
        age_range("Individuals aged ≥1 year with diarrhoea and/or children (aged 1-18 years) with pain")
        is None
    )
    assert age_range("Children 0-15 years inclusive")[:2] == (0, 15)  # type: ignore[index]


def test_status_rules() -> None:
    smoker = context_for("A 66 yo woman with chronic cough. She has smoked 2 packs per day for 40 years.")
    assert judge(smoker, "COPD, non smoker", "inclusion").verdict == "not_met"
    assert judge(smoker, "Current smoker", "exclusion").verdict == "met"
    never = context_for("A 58-year-old nonsmoker white female with a left lung mass.")
    assert judge(never, "Current smoker", "exclusion").verdict == "not_met"
    sick = context_for("A 28-year-old female with pneumonia and fever.")
    assert judge(sick, "Subject in good health, based on medical history", "inclusion").verdict == "not_met"


def test_sex_mismatch_decides_even_with_a_disease() -> None:
    w = context_for("A 48-year-old woman with invasive ductal breast cancer.")
    assert judge(w, "Male breast cancer", "exclusion").verdict == "not_applicable"
    assert judge(w, "Men with prostate cancer", "inclusion").verdict == "not_met"
    assert judge(w, "Women with breast cancer", "inclusion").verdict == "met"


def test_relatives_and_possibilities_are_not_the_patients_facts() -> None:
    c = context_for(
        "A 50-year-old man with cough. His mother had breast cancer. Rule out pneumonia. "
        "No history of stroke. He has diabetes."
    )
    assert judge(c, "History of malignancy", "exclusion").verdict == "not_met"  # the mother's
    assert judge(c, "Pneumonia", "exclusion").verdict == "unknown"  # to be ruled out
    assert judge(c, "Stroke", "exclusion").verdict == "not_met"
    assert judge(c, "Diabetes", "exclusion").verdict == "met"
