"""Vocabularies: versioned YAML data files in ``data/`` and their loaders.

Labs (``labs.yaml``)::

    labs() -> tuple[LabVar, ...]        # key, var, unit (canonical), loinc, names, abbr, molar_mass
    lab(key) -> LabVar | None
    lab_key("ANC" | "absolute neutrophil count" | "751-8") -> "anc"
    lab_var("qtc") -> "vital.qtc_ms"; lab_var("alt") -> "lab.alt"

Units (``units.yaml``, pint)::

    normalize_unit("x10^9/L") -> "10*9/L"; convert(1800, "/mm3", "10*9/L") -> 1.8
    convert(1.2, "mg/dL", "umol/L", lab_key="creatinine") -> 106.1

Concepts (``concepts.yaml``)::

    concepts_in(text) -> list[ConceptHit]     # longest match, word boundaries
    concept_ids_for("deep vein thrombosis") -> {"dvt", "venous_thromboembolism", "thrombotic_event"}
    is_a("dvt", "thrombotic_event") -> True

Performance scales: ``ecog_from_karnofsky(80) == 1``; ``karnofsky_range(1) == (70, 100)``... see
``trialmatch.vocab.scales``.
"""

from __future__ import annotations

from trialmatch.vocab._load import data_version, load_data
from trialmatch.vocab.concepts import (
    Concept,
    ConceptHit,
    ancestors,
    concept,
    concept_ids_for,
    concepts,
    concepts_in,
    descendants,
    is_a,
)
from trialmatch.vocab.labs import LabVar, lab, lab_key, lab_names, lab_var, labs
from trialmatch.vocab.scales import ecog_from_karnofsky, karnofsky_range
from trialmatch.vocab.units import convert, normalize_unit, same_unit

__all__ = [
    "Concept",
    "ConceptHit",
    "LabVar",
    "ancestors",
    "concept",
    "concept_ids_for",
    "concepts",
    "concepts_in",
    "convert",
    "data_version",
    "descendants",
    "ecog_from_karnofsky",
    "is_a",
    "karnofsky_range",
    "lab",
    "lab_key",
    "lab_names",
    "lab_var",
    "labs",
    "load_data",
    "normalize_unit",
    "same_unit",
]
