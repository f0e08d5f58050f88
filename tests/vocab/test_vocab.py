"""Vocabulary data files and loaders: versions, uniqueness, hierarchy, units, lab names."""

from __future__ import annotations

import math
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialmatch.vocab import (
    concept_ids_for,
    concepts,
    concepts_in,
    convert,
    ecog_from_karnofsky,
    is_a,
    karnofsky_range,
    lab,
    lab_key,
    labs,
    normalize_unit,
)
from trialmatch.vocab._load import DATA_DIR, load_data
from trialmatch.vocab.concepts import _abbr_key, _name_key
from trialmatch.vocab.units import canonical_units


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_data_file_has_a_version(path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and "version" in data


def test_no_duplicate_synonyms_across_concepts() -> None:
    names: dict[tuple[str, ...], set[str]] = defaultdict(set)
    abbrs: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for c in concepts().values():
        for n in (*c.names, *c.codes):
            names[_name_key(n)].add(c.id)
        for a in c.abbr:
            abbrs[_abbr_key(a)].add(c.id)
    assert {k: v for k, v in names.items() if len(v) > 1} == {}
    assert {k: v for k, v in abbrs.items() if len(v) > 1} == {}


def test_every_parent_exists_and_no_cycles() -> None:
    cs = concepts()
    for c in cs.values():
        for p in c.parents:
            assert p in cs, f"{c.id}: unknown parent {p}"
        assert not is_a(c.parents[0], c.id) if c.parents else True


def test_lab_names_unique_and_units_known() -> None:
    seen: dict[str, str] = {}
    canon = canonical_units()
    for lv in labs():
        assert lv.unit in canon, lv.key
        for n in lv.names:
            key = " ".join(_name_key(n))
            assert seen.setdefault(key, lv.key) == lv.key, f"{n} in {seen[key]} and {lv.key}"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("ANC", "anc"),
        ("absolute neutrophil count", "anc"),
        ("751-8", "anc"),
        ("WBC", "wbc"),
        ("leukocytes", "wbc"),
        ("Haemoglobin", "hemoglobin"),
        ("hemoglobin", "hemoglobin"),
        ("total bilirubin", "bilirubin"),
        ("ASAT", "ast"),
        ("SGOT", "ast"),
        ("ALAT", "alt"),
        ("SGPT", "alt"),
        ("ALP", "alp"),
        ("LDH", "ldh"),
        ("creatinine clearance", "crcl"),
        ("eGFR", "egfr"),
        ("measured GFR", "egfr"),
        ("INR", "inr"),
        ("aPTT", "aptt"),
        ("HbA1c", "hba1c"),
        ("QTc", "qtc"),
        ("LVEF", "lvef"),
        ("Ki-67", "ki67"),
        ("CgA", "cga"),
        ("5-HIAA", "hiaa"),
        ("TSH", "tsh"),
        ("serum ALT level", "alt"),
        ("lactate dehydrogenase", "ldh"),
        ("platelets", "platelets"),
        ("unknown thing", None),
    ],
)
def test_lab_key(name: str, key: str | None) -> None:
    assert lab_key(name) == key


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("x10^9/L", "10*9/L"),
        ("×109/L", "10*9/L"),
        ("10⁹/L", "10*9/L"),
        ("G/L", "10*9/L"),
        ("g/L", "g/L"),
        ("x 109/L", "10*9/L"),
        ("cells/mm3", "/uL"),
        ("/mm3", "/uL"),
        ("/μL", "/uL"),
        ("mL/min/1.73m2", "mL/min/{1.73_m2}"),
        ("ml/min/1.73 m²", "mL/min/{1.73_m2}"),
        ("mg/dl", "mg/dL"),
        ("µmol/L", "umol/L"),
        ("IU/L", "U/L"),
        ("%", "%"),
        ("mmol/mol", "mmol/mol"),
        ("mmHg", "mm[Hg]"),
        ("10^3/uL", "10*3/uL"),
        ("bogus", None),
        ("", None),
    ],
)
def test_normalize_unit(text: str, code: str | None) -> None:
    assert normalize_unit(text) == code


@pytest.mark.parametrize(
    ("value", "a", "b", "key", "want"),
    [
        (1800, "/mm3", "10*9/L", None, 1.8),
        (75, "g/L", "g/dL", None, 7.5),
        (1.2, "mg/dL", "umol/L", "creatinine", 106.1),
        (160, "umol/L", "mg/dL", "creatinine", 1.81),
        (12, "umol/L", "mg/dL", "bilirubin", 0.70),
        (100, "mg/dL", "mmol/L", "glucose", 5.55),
        (7.0, "%", "mmol/mol", "hba1c", 53.0),
        (100, "10^3/uL", "10*9/L", None, 100.0),
        (1.5, "G/L", "/uL", None, 1500.0),
        (40, "U/L", "IU/L", None, 40.0),
    ],
)
def test_convert_known_values(value: float, a: str, b: str, key: str | None, want: float) -> None:
    got = convert(value, a, b, key)
    assert got is not None and math.isclose(got, want, rel_tol=0.01)


def test_convert_incompatible_is_none() -> None:
    assert convert(1.0, "mg/dL", "10*9/L") is None
    assert convert(1.0, "mg/dL", "umol/L") is None  # no analyte: no molar mass
    assert convert(1.0, "nonsense", "g/L") is None


PAIRS = [
    ("10*9/L", "/uL", None),
    ("g/dL", "g/L", None),
    ("mg/dL", "umol/L", "creatinine"),
    ("mg/dL", "umol/L", "bilirubin"),
    ("mg/dL", "mmol/L", "glucose"),
    ("mg/dL", "mmol/L", "calcium"),
    ("%", "mmol/mol", "hba1c"),
    ("U/L", "U/mL", None),
    ("mL/min", "mL/s", None),
    ("ng/mL", "ug/L", None),
]


@settings(max_examples=60, deadline=None)
@given(
    x=st.floats(min_value=0.01, max_value=1e5, allow_nan=False),
    i=st.integers(min_value=0, max_value=len(PAIRS) - 1),
)
def test_convert_round_trip(x: float, i: int) -> None:
    a, b, key = PAIRS[i]
    y = convert(x, a, b, key)
    assert y is not None
    z = convert(y, b, a, key)
    assert z is not None and math.isclose(z, x, rel_tol=1e-9, abs_tol=1e-9)


def test_molar_masses_present() -> None:
    for k in ("creatinine", "bilirubin", "glucose", "calcium"):
        lv = lab(k)
        assert lv is not None and lv.molar_mass


@pytest.mark.parametrize(
    ("name", "must"),
    [
        ("deep vein thrombosis", {"dvt", "venous_thromboembolism", "thrombotic_event"}),
        ("177Lu-DOTATATE", {"prrt"}),
        ("etoposide + cisplatin", {"etoposide", "cisplatin", "platinum", "chemotherapy"}),
        ("octreotide LAR", {"octreotide", "ssa", "systemic_therapy"}),
        ("carcinomatous meningitis", {"leptomeningeal_disease", "cns_metastases"}),
        ("basal cell carcinoma of skin", {"nonmelanoma_skin_cancer", "cancer"}),
        ("small cell lung carcinoma", {"nen.sclc", "nen.nec", "lung_cancer"}),
        ("mixed neuroendocrine-non-neuroendocrine neoplasm", {"nen.minen", "nen"}),
        ("neuroendocrine tumour", {"nen.net"}),
        ("gastrointestinal haemorrhage", {"gi_bleeding", "bleeding"}),
        ("8246/3", {"nen.nec"}),
        ("MEN1", {"men1"}),
        ("everolimus", {"mtor_inhibitor", "targeted_therapy"}),
        ("CAPTEM", {"capecitabine", "temozolomide"}),
        ("pancreatic neuroendocrine tumour", {"nen.pnet", "nen.pnen", "nen.net"}),
    ],
)
def test_concept_ids_for(name: str, must: set[str]) -> None:
    assert must <= concept_ids_for(name)


def test_concepts_in_longest_match_and_case() -> None:
    hits = concepts_in("History of deep vein thrombosis or PE; pe is not an abbreviation here")
    ids = [h.concept for h in hits]
    assert ids.count("dvt") == 1 and ids.count("pe") == 1
    assert "venous_thromboembolism" not in ids  # longest match wins, no sub-matches
    assert hits[0].text.lower() == "deep vein thrombosis"


def test_is_a() -> None:
    assert is_a("dvt", "thrombotic_event") and is_a("mi", "acs") and is_a("nen.sclc", "cancer")
    assert not is_a("thrombotic_event", "dvt") and not is_a("ssa", "chemotherapy")


def test_scales() -> None:
    assert ecog_from_karnofsky(100) == 0 and ecog_from_karnofsky(70) == 1 and ecog_from_karnofsky(50) == 2
    assert karnofsky_range(1) == (70, 89)
    assert ecog_from_karnofsky(120) is None


def test_load_data_cached() -> None:
    assert load_data("labs") is load_data("labs")
