"""Ranges after a lab name ("BMI between 18 and 30 kg/m2"), "below or equal to" operators, and a
lab said to be normal ("Total bilirubin within normal institutional limits") as <= 1 x ULN."""

from __future__ import annotations

import pytest

from trialmatch.criteria.numeric import extract_numeric, lab_rules
from trialmatch.criteria.parse import parse_item
from trialmatch.criteria.rules import And, Compare, Or


@pytest.mark.parametrize(
    ("text", "var", "low", "high", "unit"),
    [
        ("Body mass index (BMI) between 18 and 30 kg/m2 inclusive", "bmi", 18.0, 30.0, "kg/m2"),
        ("Body mass index (BMI) of 18.5 to 30.0 kg/m2", "bmi", 18.5, 30.0, "kg/m2"),
        ("BMI 19-32 kg/m2", "bmi", 19.0, 32.0, "kg/m2"),
        ("BMI must be between 18.0 and 32.0 kg/m2 at screening", "bmi", 18.0, 32.0, "kg/m2"),
        ("HbA1c between 7.0% and 10.0%", "lab.hba1c", 7.0, 10.0, "%"),
        ("Creatinine clearance 30-60 mL/min", "lab.crcl", 30.0, 60.0, "mL/min"),
    ],
)
def test_range_after_a_lab_name(text: str, var: str, low: float, high: float, unit: str) -> None:
    c = parse_item(text, "inclusion")
    assert c.status == "parsed"
    assert c.rule == Compare(var=var, cmp="between", value=low, high=high, unit=unit)
    assert {(v, op, x) for v, op, x, _, _ in extract_numeric(text)} == {
        (var, "between", low),
        (var, "between", high),
    }


@pytest.mark.parametrize(
    "text",
    [
        "ALT 2-3 x ULN",  # a range of ULN multiples is not read as a plain range
        "HbA1c measured 2 to 4 weeks before screening",  # words between: not a range
        "Hemoglobin 9 to 12 weeks after transfusion",  # a duration
    ],
)
def test_what_is_not_a_range(text: str) -> None:
    r, _ = lab_rules(text)
    assert not (isinstance(r, Compare) and r.cmp == "between")


def test_below_or_equal_to() -> None:
    c = parse_item("Body Mass Index (BMI) below or equal to 30 kg/m^2", "inclusion")
    assert c.rule == Compare(var="bmi", cmp="<=", value=30.0, unit="kg/m2")


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("Bilirubin normal", ["lab.bilirubin"]),
        ("Total bilirubin within normal institutional limits", ["lab.bilirubin"]),
        ("AST and ALT within normal limits", ["lab.ast", "lab.alt"]),
    ],
)
def test_normal_is_at_most_the_uln(text: str, keys: list[str]) -> None:
    c = parse_item(text, "inclusion")
    assert c.status == "parsed"
    want = [Compare(var=k, cmp="<=", value=1.0, ref="uln") for k in keys]
    assert c.rule == (want[0] if len(want) == 1 else And(tuple(want)))


@pytest.mark.parametrize(
    "text",
    [
        "Hemoglobin and bilirubin normal",  # a lab whose low value matters: not read as <= ULN
        "Bilirubin abnormal",
        "Bilirubin not within normal limits",
        "Normal ECG",
    ],
)
def test_normal_not_read(text: str) -> None:
    assert lab_rules(text)[0] is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "Triglycerides > 150 mg/dL OR HDL <50 in females",
            Compare(var="lab.triglycerides", cmp=">", value=150.0, unit="mg/dL"),
        ),
        (
            "Leukocytes > 12,000/mm^3 or < 4,000/mm^3 or > 10% immature (band) forms",
            Or(
                (
                    Compare(var="lab.wbc", cmp=">", value=12000.0, unit="/uL"),
                    Compare(var="lab.wbc", cmp="<", value=4000.0, unit="/uL"),
                )
            ),
        ),
    ],
)
def test_a_comparison_of_something_else_is_no_alternative(text: str, want: object) -> None:
    assert lab_rules(text)[0] == want
