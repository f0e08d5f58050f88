"""Clinical formulas used for derived facts. Pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import math

__all__ = [
    "age_at",
    "bmi",
    "bsa_mosteller",
    "ckd_epi_2021",
    "cockcroft_gault",
    "ecog_from_karnofsky",
    "karnofsky_from_ecog",
    "who_grade",
]


def age_at(birth: dt.date, as_of: dt.date) -> int:
    return as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))


def cockcroft_gault(age: float, weight_kg: float, female: bool, scr_mg_dl: float) -> float:
    """Creatinine clearance (mL/min): ((140 - age) x weight) / (72 x Scr), x 0.85 if female."""
    crcl = ((140.0 - age) * weight_kg) / (72.0 * scr_mg_dl)
    return crcl * 0.85 if female else crcl


def ckd_epi_2021(age: float, female: bool, scr_mg_dl: float) -> float:
    """eGFR (mL/min/1.73 m2), CKD-EPI 2021 race-free equation."""
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    r = scr_mg_dl / kappa
    e = 142.0 * min(r, 1.0) ** alpha * max(r, 1.0) ** -1.200 * 0.9938**age
    return e * 1.012 if female else e


def bmi(weight_kg: float, height_cm: float) -> float:
    return weight_kg / (height_cm / 100.0) ** 2


def bsa_mosteller(weight_kg: float, height_cm: float) -> float:
    return math.sqrt(weight_kg * height_cm / 3600.0)


def who_grade(ki67: float | None, mitoses: float | None) -> str | None:
    """WHO grade of a well-differentiated NET: Ki-67 <3 G1, 3-20 G2, >20 G3 (or mitoses <2, 2-20, >20);
    the higher of the two when both are given."""
    grades = []
    if ki67 is not None:
        grades.append(1 if ki67 < 3 else 2 if ki67 <= 20 else 3)
    if mitoses is not None:
        grades.append(1 if mitoses < 2 else 2 if mitoses <= 20 else 3)
    return f"G{max(grades)}" if grades else None


def ecog_from_karnofsky(kps: float) -> int:
    if kps >= 100:
        return 0
    if kps >= 80:
        return 1
    if kps >= 60:
        return 2
    if kps >= 40:
        return 3
    if kps > 0:
        return 4
    return 5


def karnofsky_from_ecog(ecog: int) -> tuple[float, float]:
    """The Karnofsky range an ECOG grade corresponds to."""
    return {
        0: (90.0, 100.0),
        1: (80.0, 90.0),
        2: (60.0, 70.0),
        3: (40.0, 50.0),
        4: (10.0, 30.0),
        5: (0.0, 0.0),
    }.get(int(ecog), (0.0, 100.0))
