"""``Has`` tests: does the patient have (or had) something matching a concept? Pure.

Where to look: the rule's ``kinds`` (all kinds when empty). Related lists are searched too
(a "brain metastases" entry may sit among conditions or metastasis sites; a drug among
treatments or medications), but only the requested lists decide that something is absent.

Absence: when the profile gives a list (``conditions: []``) and nothing in it matches, the
answer is False (known absent); when the list is missing (None), it is unknown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from trialmatch.criteria.rules import Has, Window
from trialmatch.patients import terms as T
from trialmatch.patients.derive import ITEM_KINDS, Item, PatientFacts

__all__ = ["EXPAND_KINDS", "eval_has", "item_in_window"]

Tri = bool | None

#: also search these lists (positive matches only)
EXPAND_KINDS: dict[str, tuple[str, ...]] = {
    "metastasis": ("condition",),
    "condition": ("metastasis", "diagnosis"),
    "treatment": ("medication", "procedure"),
    "medication": ("treatment",),
    "procedure": ("treatment",),
    "diagnosis": ("condition", "progression"),
    "other_cancer": (),
    "biomarker": ("diagnosis", "condition"),
    "imaging": (),
    "allergy": (),
    "site": (),
    "trial_participation": (),
    "progression": (),
}
_DEFAULT_KNOWN = ("condition",)


def item_in_window(item: Item, w: Window, as_of: dt.date) -> Tri:
    """Whether the item's event falls in the window (None when its date is not known)."""
    if w.relation == "after":
        return None
    days = w.days
    if item.kind in ("treatment", "medication"):
        if w.relation == "within":
            if item.ongoing or (item.active is True and item.end is None):
                return True
            last = item.end or (item.start if item.ongoing is False else None)
            if last is not None:
                return (as_of - last).days <= days
            if item.start is not None and (as_of - item.start).days <= days:
                return True
            return None
        last = item.end
        if item.ongoing:
            return False
        return None if last is None else (as_of - last).days >= days
    if item.kind == "other_cancer":
        if w.relation == "within":
            if item.active:
                return True
            d = item.end or item.start
            return None if d is None else (as_of - d).days <= days
        d = item.end or item.start
        if item.active:
            return False
        return None if d is None else (as_of - d).days >= days
    d = item.start if item.kind != "procedure" else (item.end or item.start)
    if d is None:
        if item.kind == "condition" and w.relation == "within":
            st = str(item.attrs.get("status") or "").lower()
            return True if st in ("active", "ongoing", "current") else None
        return None
    age_days = (as_of - d).days
    if w.relation == "within":
        return 0 <= age_days <= days or (age_days < 0 and False)
    return age_days >= days


_EXCEPT = ("except", "excluding", "exclude", "other_than", "unless")


def _qualifier(item: Item, k: str, v: Any) -> Tri:
    a = item.attrs
    if k in _EXCEPT:  # "other than somatostatin analogues": items of these concepts do not count
        others = v if isinstance(v, (list, tuple)) else [v]
        return not any(T.concept_matches(item.concepts, item.text, str(o)) for o in others)
    if k == "uncontrolled":
        c = a.get("controlled")
        if c is None:
            return None if item.active is not False else (not bool(v))
        return (not c) == bool(v)
    if k == "controlled":
        c = a.get("controlled")
        return None if c is None else bool(c) == bool(v)
    if k in ("min_nyha", "nyha_min"):
        n = a.get("nyha_class")
        return None if n is None else int(n) >= int(v)
    if k == "origin":
        o = a.get("origin")
        return None if o is None else str(o).lower() == str(v).lower()
    if k == "outcome":
        o = a.get("outcome")
        if o is None:
            return None
        wanted = [str(x).lower() for x in (v if isinstance(v, (list, tuple)) else [v])]
        return str(o).lower() in wanted
    if k == "major":
        m = a.get("major")
        return None if m is None else bool(m) == bool(v)
    if k in a:
        return str(a[k]).lower() == str(v).lower()
    return True  # a qualifier the profile cannot speak to does not block a match


def _item_value(item: Item, rule: Has, as_of: dt.date) -> Tri:
    if item.negative:
        return False
    if not T.concept_matches(item.concepts, item.text, rule.concept):
        return False
    vals: list[Tri] = []
    if rule.status == "active":
        vals.append(item.active)
    elif rule.status == "history":
        vals.append(True)
    if rule.window is not None:
        vals.append(item_in_window(item, rule.window, as_of))
    for k, v in rule.qualifiers:
        vals.append(_qualifier(item, k, v))
    if any(x is False for x in vals):
        return False
    return True if all(x is True for x in vals) else None


def _describe(item: Item) -> str:
    bits = [item.name]
    for k in ("status", "onset_date", "date", "end_date", "outcome", "origin", "result"):
        v = item.attrs.get(k)
        if v not in (None, ""):
            bits.append(f"{k.replace('_', ' ')} {v.isoformat() if isinstance(v, dt.date) else v}")
    if item.ongoing:
        bits.append("ongoing")
    return ", ".join(bits)


def eval_has(rule: Has, facts: PatientFacts) -> tuple[Tri, str, list[dict[str, Any]], list[str]]:
    kinds = tuple(k for k in rule.kinds if k in ITEM_KINDS) or ()
    decide = kinds or _DEFAULT_KNOWN
    if "progress" in rule.concept:  # disease progression: settled by the dated progressions
        decide = ("progression",)
        if "progression" not in kinds and kinds:
            kinds = (*kinds, "progression")
    search: list[str] = list(kinds or ITEM_KINDS)
    for k in kinds:
        for extra in EXPAND_KINDS.get(k, ()):
            if extra not in search:
                search.append(extra)
    label = T.concept_label(rule.concept)
    found_unknown: list[Item] = []
    for kind in search:
        for item in facts.items[kind]:
            v = _item_value(item, rule, facts.as_of)
            if v is True:
                ev = [{"fact": f"{item.kind}", "value": _describe(item)}]
                return True, f"has {label}: {_describe(item)}", ev, []
            if v is None:
                found_unknown.append(item)
    # another cancer than the one studied is its own question ("Has the patient had another cancer?"),
    # not "Does the patient have cancer?" asked of a cancer patient
    fact = f"has.other_cancer:{rule.concept}" if kinds == ("other_cancer",) else f"has.{rule.concept}"
    if found_unknown:
        item = found_unknown[0]
        what = []
        if rule.window is not None:
            what.append(f"date ({rule.window.relation} {rule.window.amount:g} {rule.window.unit}s)")
        if rule.status == "active":
            what.append("whether it is active")
        if rule.qualifiers:
            what.append(", ".join(f"{k}={v}" for k, v in rule.qualifiers))
        detail = " and ".join(what) or "details"
        return (
            None,
            f"{label}: {_describe(item)}, {detail} not known",
            [{"fact": item.kind, "value": _describe(item)}],
            [fact],
        )
    for item in facts.absent:
        if T.concept_matches(item.concepts, item.text, rule.concept):
            return False, f"no {label} (stated: {item.text})", [{"fact": "absent", "value": item.text}], []
    unknown_lists = [k for k in decide if not facts.known.get(k)]
    if unknown_lists:
        return None, f"{label}: not known ({', '.join(unknown_lists)} not given)", [], [fact]
    listed = ", ".join(decide)
    return False, f"no {label} ({listed} given)", [{"fact": listed, "value": "none matching"}], []
