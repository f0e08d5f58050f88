"""Units: a UCUM-ish normaliser for free-text units and conversion through pint.

``normalize_unit("x10^9/L") == "10*9/L"``; ``normalize_unit("×109/L") == "10*9/L"`` (a
superscript lost in copy); ``normalize_unit("cells/mm3") == "/uL"``;
``convert(1800, "/mm3", "10*9/L") == 1.8``; ``convert(1.2, "mg/dL", "umol/L", "creatinine")``
uses the analyte's molar mass (from ``labs.yaml``); HbA1c % <-> mmol/mol uses the IFCC line.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from trialmatch.vocab._load import load_data

__all__ = ["canonical_units", "convert", "normalize_unit", "same_unit", "unit_registry"]

_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_MAX_UNIT = 60
# "x10^9/L", "× 10⁹ /L", "*10**9/l", "10e9/L", "x109/L" (lost superscript), "10 9/L"
_POW10 = re.compile(r"^(?:[x×*·]\s{0,3})?10\s{0,2}(?:\^|\*\*|\*|e|E)?\s{0,2}(\d{1,2})\s{0,2}(/.{0,40})$")
_POW10_STRICT_EXP = {"3", "4", "6", "9", "12"}
_PER_VOLUME = {"/μl": "/ul", "/µl": "/ul", "/mm3": "/ul", "/mcl": "/ul"}


@cache
def _aliases() -> dict[str, str]:
    return {str(k): str(v) for k, v in load_data("units")["aliases"].items()}


@cache
def canonical_units() -> dict[str, str]:
    """Canonical code -> pint expression."""
    return {str(k): str(v) for k, v in load_data("units")["canonical"].items()}


@lru_cache(maxsize=4096)
def normalize_unit(text: str | None) -> str | None:
    """The canonical code of a unit as written, or None when it is not recognised."""
    if text is None:
        return None
    s = str(text).strip()[:_MAX_UNIT].translate(_SUP)
    s = s.strip(" .,;:)(]")
    if not s:
        return None
    canon = canonical_units()
    if s in canon:
        return s
    # upper-case G/L and T/L are giga / tera per litre (cell counts), lower-case g/L is grams
    compact = s.replace(" ", "")
    if compact in ("G/L", "G/l", "Giga/L"):
        return "10*9/L"
    if compact in ("T/L", "T/l"):
        return "10*12/L"
    m = _POW10.match(s)
    if m and m.group(1) in _POW10_STRICT_EXP:
        rest = m.group(2).replace(" ", "").lower()
        rest = _PER_VOLUME.get(rest, rest)
        s = f"10*{m.group(1)}{rest}"
    key = s.lower().replace(" ", "")
    aliases = _aliases()
    if key in aliases:
        return aliases[key]
    key2 = key.replace("μ", "u").replace("µ", "u")
    if key2 in aliases:
        return aliases[key2]
    # "cells x 10^9/L", "x 10^9 cells/L"
    key3 = key2.replace("cells", "").replace("cell", "")
    if key3 != key2:
        if key3.startswith(("x", "×", "*")):
            return normalize_unit(key3)
        if key3 in aliases:
            return aliases[key3]
    return None


@cache
def unit_registry() -> Any:
    """The pint registry with the units labs need (enzyme and international units, BSA ...)."""
    import pint

    ureg: Any = pint.UnitRegistry()
    ureg.define("enzyme_unit = [enzyme_activity]")
    ureg.define("kiloenzyme_unit = 1000 * enzyme_unit")
    ureg.define("international_unit = enzyme_unit")
    ureg.define("milliinternational_unit = 0.001 * enzyme_unit")
    ureg.define("microinternational_unit = 1e-6 * enzyme_unit")
    ureg.define("bsa_173 = [bsa]")
    ureg.define("two_mm2 = [hpf_area]")
    ureg.define("ten_hpf = [hpf_field]")
    ureg.define("copies = [copy_count]")
    return ureg


def _molar_mass(lab_key: str | None) -> float | None:
    if not lab_key:
        return None
    from trialmatch.vocab.labs import lab

    entry = lab(lab_key)
    return entry.molar_mass if entry is not None else None


def _quantity(ureg: Any, expr: str) -> Any:
    q = ureg.parse_expression(expr)
    if not hasattr(q, "dimensionality"):
        q = ureg.Quantity(float(q), "dimensionless")
    return q


@lru_cache(maxsize=4096)
def _factor(f: str, t: str, molar_mass: float | None) -> float | None:
    canon = canonical_units()
    if f not in canon or t not in canon:
        return None
    ureg = unit_registry()
    try:
        qf = _quantity(ureg, canon[f])
        qt = _quantity(ureg, canon[t])
        if qf.dimensionality == qt.dimensionality:
            return float(qf.to(qt.units).magnitude / qt.magnitude)
        if molar_mass:
            mm = ureg.Quantity(molar_mass, "gram / mole")
            mass_c = ureg.Quantity(1.0, "gram / liter").dimensionality
            subst_c = ureg.Quantity(1.0, "mole / liter").dimensionality
            mass_d = ureg.Quantity(1.0, "gram / day").dimensionality
            subst_d = ureg.Quantity(1.0, "mole / day").dimensionality
            if (qf.dimensionality, qt.dimensionality) in ((mass_c, subst_c), (mass_d, subst_d)):
                return float((qf / mm).to(qt.units).magnitude / qt.magnitude)
            if (qf.dimensionality, qt.dimensionality) in ((subst_c, mass_c), (subst_d, mass_d)):
                return float((qf * mm).to(qt.units).magnitude / qt.magnitude)
    except Exception:  # pint raises many kinds; an unknown conversion is simply None
        return None
    return None


def convert(
    value: float, from_unit: str | None, to_unit: str | None, lab_key: str | None = None
) -> float | None:
    """``value`` in ``from_unit`` expressed in ``to_unit``; None when they do not convert.

    Units may be free text (``x10^9/L``, ``cells/mm3``, ``mL/min/1.73m2``, ``g/dl`` ...).
    ``lab_key`` (from ``labs.yaml``) supplies the molar mass for mass <-> substance.
    """
    f = normalize_unit(from_unit)
    t = normalize_unit(to_unit)
    if f is None or t is None:
        return None
    if f == t:
        return float(value)
    if {f, t} == {"%", "mmol/mol"} and (lab_key in (None, "hba1c")):
        # HbA1c: IFCC (mmol/mol) = 10.929 * (NGSP % - 2.15)
        if f == "%":
            return (float(value) - 2.15) * 10.929
        return float(value) / 10.929 + 2.15
    factor = _factor(f, t, _molar_mass(lab_key))
    if factor is None:
        return None
    return float(value) * factor


def same_unit(a: str | None, b: str | None) -> bool:
    """Whether two unit spellings normalise to the same code."""
    na, nb = normalize_unit(a), normalize_unit(b)
    return na is not None and na == nb
