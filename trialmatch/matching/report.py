"""A printable match report: HTML with print styles, rendered from a MatchReport (autoescaped)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from trialmatch.matching.model import MatchReport
from trialmatch.patients.model import Patient

__all__ = ["patient_summary", "render_report"]

_TEMPLATES = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def _env() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def patient_summary(p: Patient) -> str:
    """One line: age, sex, cancer, stage."""
    bits: list[str] = []
    if p.age is not None:
        bits.append(f"{p.age:g} years")
    if p.sex:
        bits.append(p.sex)
    c = p.cancer
    if c is not None:
        if c.name:
            bits.append(c.name + (f" ({c.grade})" if c.grade else ""))
        if c.primary_site:
            bits.append(f"primary {c.primary_site}")
        if c.metastatic:
            bits.append("metastatic")
    return ", ".join(bits)


def render_report(
    report: MatchReport,
    patient: Patient | None = None,
    data_date: str | dt.date | None = None,
    generated: dt.datetime | None = None,
    derivations: list[str] | None = None,
) -> str:
    """The HTML page. ``generated`` defaults to the report's ``as_of`` (no clock in the core)."""
    if derivations is None and patient is not None:
        from trialmatch.patients.derive import PatientFacts

        derivations = PatientFacts.build(patient, report.as_of).derivations
    tpl = _env().get_template("match_report.html")
    return str(
        tpl.render(
            report=report,
            summary=patient_summary(patient) if patient is not None else "",
            data_date=data_date,
            derivations=derivations or [],
            generated=(generated.isoformat(timespec="minutes") if generated else str(report.as_of)),
        )
    )
