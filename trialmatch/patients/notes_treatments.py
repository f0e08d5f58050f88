"""Anticancer treatments named in a note sentence: the note vocabulary's treatment lists, and every
drug, regimen or treatment of the shared concepts vocabulary that is an anticancer therapy (so
"CDDP/VP-16", "nedaplatin" or "platinum-based chemotherapy" are kept and the matcher's is-a applies)."""

from __future__ import annotations

import functools
import re

from trialmatch.patients.notes_extract import phrases

__all__ = ["TreatmentMention", "find_treatments"]

#: (start, end, name as recorded, kind)
TreatmentMention = tuple[int, int, str, str]

#: concept types that name something given to the patient
_GIVEN_TYPES = frozenset({"drug", "regimen", "treatment"})


@functools.cache
def _drug_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    """Like ``phrase_regex``, but a hyphen or slash before a name joins two drugs ("cisplatin-etoposide")
    rather than making one word."""
    alts = sorted({w.lower() for w in words if w}, key=len, reverse=True)
    body = "|".join(re.escape(w) for w in alts) or "(?!x)x"
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.I)


def _kind_of(cid: str, ancestors: frozenset[str]) -> str | None:
    for anc, kind in phrases()["treatment_kinds"]:
        if cid == anc or anc in ancestors:
            return str(kind)
    return None


def _concept_mentions(sentence: str) -> list[tuple[int, int, str, str, bool]]:
    """(start, end, name, kind, is a regimen) of anticancer concepts named in the sentence."""
    try:
        from trialmatch.vocab.concepts import ancestors, concept, concepts_in
    except ImportError:  # the shared vocabulary is optional
        return []
    out: list[tuple[int, int, str, str, bool]] = []
    for h in concepts_in(sentence):
        c = concept(h.concept)
        if c is None or c.type not in _GIVEN_TYPES:
            continue
        kind = _kind_of(c.id, ancestors(c.id))
        if kind is None:
            continue
        written = h.text.strip()
        if written in c.abbr and len(written) < 3:
            continue  # "EP", "RT", "IO": too ambiguous alone
        # a name that reads back as the same concept is kept as written, an abbreviation by its label
        name = written.lower()
        if h.concept not in {x.concept for x in concepts_in(name)}:
            name = c.label.lower()
        out.append((h.start, h.end, name, kind, c.type == "regimen"))
    return out


def find_treatments(sentence: str) -> list[TreatmentMention]:
    """Treatments named in ``sentence``, in order. Names from the note vocabulary's lists come first; a
    concept overlapping them is added only when it says more ("platinum-based chemotherapy" over
    "chemotherapy"), and a regimen whose drugs the lists already found adds nothing."""
    found: list[TreatmentMention] = []
    for kind, names in phrases()["treatments"].items():
        for m in _drug_regex(tuple(names)).finditer(sentence):
            found.append((m.start(), m.end(), m.group(0).lower(), str(kind)))
    for s, e, name, kind, regimen in _concept_mentions(sentence):
        inside = [f for f in found if f[0] < e and s < f[1]]
        if not inside:
            found.append((s, e, name, kind))
        elif not regimen and all(s <= f[0] and f[1] <= e and e - s > f[1] - f[0] for f in inside):
            found = [f for f in found if f not in inside] + [(s, e, name, kind)]
    return sorted(found)
