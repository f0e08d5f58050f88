"""Reading FHIR Observations: performance status, stage and TNM, vitals, pregnancy, Ki-67, labs,
biomarkers (coded, string, ratio or interpretation values) and TrialMatch-coded facts.

:class:`ObservationReader` holds the state of one bundle read; ``fhir._Reader`` adds the other resources.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from trialmatch.patients import terms as T
from trialmatch.patients.fhir_util import (
    _ECOG_LA,
    _STAGE,
    _VITALS,
    LOINC,
    TM_CODES,
    _codes,
    _date,
    _ext,
    _ki67_loincs,
    _profiles,
    _stage_group,
    _text,
    _values,
)

__all__ = ["ObservationReader"]


#: value[x] kinds that carry one number (read beside a coded result)
_NUMERIC = ("valueQuantity", "valueRatio", "valueInteger", "valueDecimal")
_TAG = re.compile(r"\s*\((?:qualifier value|finding)\)", re.I)


def _untagged(text: Any) -> str | None:
    """A coded result without its SNOMED semantic tag ("Positive (qualifier value)" -> "Positive")."""
    return _TAG.sub("", str(text)).strip() or None if text else None


def _ratio(v: Any) -> float | None:
    """numerator / denominator of a valueRatio (denominator 1 when absent); None when unreadable."""
    if not isinstance(v, dict):
        return None
    n = (v.get("numerator") or {}).get("value") if isinstance(v.get("numerator"), dict) else None
    d = (v.get("denominator") or {}).get("value", 1) if isinstance(v.get("denominator"), dict) else 1
    if not isinstance(n, (int, float)) or not isinstance(d, (int, float)) or isinstance(n, bool) or d == 0:
        return None
    return float(n) / float(d)


def _own_component(r: dict[str, Any], code: Any) -> tuple[dict[str, Any] | None, float | None]:
    """(quantity, number) of a component coded like the Observation itself: the biomarker's value
    when it has no value[x] or a coded one (as ``fhir_write`` writes it)."""
    own = _text(code)
    for comp in r.get("component") or []:
        cq = (comp or {}).get("valueQuantity") if isinstance(comp, dict) else None
        if isinstance(cq, dict) and _text(comp.get("code")) == own:
            v = cq.get("value")
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return cq, float(v)
    return None, None


class ObservationReader:
    """What one bundle read has gathered so far, and the Observation reader."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.p: dict[str, Any] = {"source_format": "fhir"}
        self.cancer: dict[str, Any] = {}
        self.warnings: list[str] = []
        self.lists: dict[str, list[Any]] = {}
        self.complete: set[str] = set()

    def warn(self, res: dict[str, Any], why: str) -> None:
        self.warnings.append(f"{res.get('resourceType', '?')}/{res.get('id', '?')}: {why}")

    def add(self, field: str, value: Any) -> None:
        self.lists.setdefault(field, []).append(value)

    # ----------------------------------------------------------- observations
    def observation(self, r: dict[str, Any]) -> None:
        vals = _values(r)
        coded = "valueCodeableConcept" in vals
        if len(vals) > 1 and not (coded and len(vals) == 2 and any(k in _NUMERIC for k in vals)):
            # a coded result and one number are read together (the result, and its value); any other
            # mix is not: the coded value wins, else the quantity
            keep = (
                "valueCodeableConcept" if coded else "valueQuantity" if "valueQuantity" in vals else vals[0]
            )
            self.warn(r, f"several values ({', '.join(vals)}); kept {keep}")
            r = {k: v for k, v in r.items() if not k.startswith("value") or k == keep}
        code = r.get("code") or {}
        loincs = _codes(code, LOINC) or _codes(code)
        tm = _codes(code, TM_CODES)
        name = _text(code) or (loincs[0] if loincs else None)
        when = _date(r.get("effectiveDateTime")) or _date((r.get("effectivePeriod") or {}).get("start"))
        q = r.get("valueQuantity") if isinstance(r.get("valueQuantity"), dict) else None
        num = q.get("value") if q else r.get("valueInteger", r.get("valueDecimal"))
        ratio = _ratio(r.get("valueRatio")) if "valueRatio" in r else None
        if "valueRatio" in r and ratio is None:
            if "valueCodeableConcept" not in r:
                self.warn(r, "valueRatio without a numerator and a non-zero denominator; skipped")
                return
            self.warn(
                r, "valueRatio without a numerator and a non-zero denominator; read the coded value only"
            )
        if ratio is not None and num is None:
            num = ratio
        if tm:
            self.tm_fact(r, tm[0], when)
            return
        if "89247-1" in loincs:  # ECOG
            v = (
                num
                if isinstance(num, (int, float))
                else next((_ECOG_LA[c] for c in _codes(r.get("valueCodeableConcept")) if c in _ECOG_LA), None)
            )
            if v is None or not 0 <= float(v) <= 5:
                self.warn(r, f"ECOG value {v!r} not in 0-5; skipped")
                return
            self.p.setdefault("performance_status", {})["ecog"] = int(v)
            return
        if "89243-0" in loincs:  # Karnofsky
            v = num
            if v is None:
                m = re.search(r"\d+", _text(r.get("valueCodeableConcept")) or "")
                v = int(m.group(0)) if m else None
            if v is None or not 0 <= float(v) <= 100:
                self.warn(r, f"Karnofsky value {v!r} not in 0-100; skipped")
                return
            self.p.setdefault("performance_status", {})["karnofsky"] = int(v)
            return
        prof = _profiles(r)
        for part, key in (
            ("primary-tumor-category", "t"),
            ("regional-nodes-category", "n"),
            ("distant-metastases-category", "m"),
            ("stage-group", "group"),
        ):
            if part in prof:
                txt = _text(r.get("valueCodeableConcept")) or ""
                m = re.search(r"\b[cpy]?([TNM][0-9][a-z]*|[TNM]x)\b", txt) if key != "group" else None
                val = m.group(1) if m else _stage_group(txt) if key == "group" else None
                if val:
                    self.cancer.setdefault("stage", {})[key] = val
                    if key == "m" and val.upper().startswith("M1"):
                        self.cancer.setdefault("metastatic", True)
                else:
                    self.warn(r, f"stage value {txt!r} not understood; skipped")
                return
        for lc in loincs:
            if lc in _STAGE:
                stxt: str | None = _text(r.get("valueCodeableConcept")) or (
                    str(r.get("valueString")) if r.get("valueString") else None
                )
                txt = stxt or ""
                if txt:
                    key = _STAGE[lc]
                    if key == "group":
                        val = _stage_group(txt)
                    else:
                        m = re.search(r"\b[cpy]?([TNM][0-9][a-z]*|[TNM]x)\b", txt)
                        val = m.group(1) if m else txt
                    if val:
                        self.cancer.setdefault("stage", {})[key] = val
                return
            if lc == "85354-9":  # blood pressure panel
                for comp in r.get("component") or []:
                    cl = _codes((comp or {}).get("code"))
                    cq = (comp or {}).get("valueQuantity") or {}
                    for c in cl:
                        if c in _VITALS and isinstance(cq.get("value"), (int, float)):
                            self.p.setdefault("vitals", {})[_VITALS[c]] = float(cq["value"])
                if not any((c or {}).get("code") for c in r.get("component") or []):
                    self.warn(r, "blood-pressure components without code; skipped")
                return
            if lc in _VITALS and isinstance(num, (int, float)):
                unit = str((q or {}).get("code") or (q or {}).get("unit") or "").lower()
                v = float(num)
                if _VITALS[lc] == "weight_kg" and unit in ("[lb_av]", "lb", "lbs"):
                    v = v * 0.45359237
                if _VITALS[lc] == "height_cm" and unit in ("[in_i]", "in"):
                    v = v * 2.54
                if _VITALS[lc] == "height_cm" and unit == "m":
                    v = v * 100
                self.p.setdefault("vitals", {})[_VITALS[lc]] = round(v, 2)
                return
            if lc == "82810-3":
                self.p["pregnant"] = any(
                    c in ("77386006", "LA15173-0") for c in _codes(r.get("valueCodeableConcept"))
                )
                return
        ki67 = any(lc in _ki67_loincs() for lc in loincs) or re.search(r"(?i)\bki-?67\b", name or "")
        if ki67 and isinstance(num, (int, float)):
            # a ratio is a share of cells (12/100); Ki-67 is kept in percent
            self.cancer["ki67_percent"] = float(num) * 100 if num is ratio else float(num)
            return
        result = _untagged(_text(r.get("valueCodeableConcept")) or r.get("valueString"))
        if isinstance(num, (int, float)) and (
            T.lab_key_for(name, loincs[0] if loincs else None) or (q is not None and not result)
        ):
            lab: dict[str, Any] = {"name": name, "value": float(num)}
            if loincs:
                lab["loinc"] = loincs[0]
            if q and (q.get("code") or q.get("unit")):
                lab["unit"] = str(q.get("code") or q.get("unit"))
            rr = (r.get("referenceRange") or [None])[0]
            if isinstance(rr, dict):
                if isinstance((rr.get("high") or {}).get("value"), (int, float)):
                    lab["uln"] = float(rr["high"]["value"])
                if isinstance((rr.get("low") or {}).get("value"), (int, float)):
                    lab["lln"] = float(rr["low"]["value"])
            if when:
                lab["date"] = when
            self.add("labs", lab)
            return
        interp = _codes(r.get("interpretation")) if isinstance(r.get("interpretation"), list) else []
        if isinstance(r.get("interpretation"), dict):
            self.warn(r, "interpretation given as an object, not a list; read anyway")
            interp = _codes(r.get("interpretation"))
        number = float(num) if isinstance(num, (int, float)) and not isinstance(num, bool) else None
        if number is None:
            q, number = _own_component(r, code)
        if result or interp or number is not None:
            bm: dict[str, Any] = {"name": name or "genetic variant"}
            res = result or ""
            if interp:
                word = {"POS": "positive", "NEG": "negative"}.get(interp[0], interp[0])
                if word.lower() not in res.lower():
                    res = (res + " " + word).strip()
            if res:
                bm["result"] = res
            if number is not None:
                bm["value"] = number
                if q and (q.get("code") or q.get("unit")):
                    bm["unit"] = str(q.get("code") or q.get("unit"))
            origin = _ext(r, "origin")
            if origin:
                bm["origin"] = origin
            self.add("biomarkers", bm)
            return
        self.warn(r, f"observation {name!r} not used by the matcher; skipped")

    def tm_fact(self, r: dict[str, Any], code: str, when: dt.date | None) -> None:
        """Observations coded in the TrialMatch code system: imaging findings, profile scalars."""
        if code == "imaging":
            im: dict[str, Any] = {"modality": _ext(r, "modality"), "finding": r.get("valueString")}
            ks = _ext(r, "krenning_score")
            if ks is not None:
                im["krenning_score"] = ks
            if when:
                im["date"] = when
            self.add("imaging", {k: v for k, v in im.items() if v is not None})
            return
        v = next((r[k] for k in _values(r)), None)
        if isinstance(v, dict):
            v = v.get("value") if "value" in v else _text(v)
        if code in ("life_expectancy_months", "pregnant", "breastfeeding", "childbearing_potential"):
            self.p[code] = v
        else:
            self.warn(r, f"unknown TrialMatch fact code {code!r}; skipped")
