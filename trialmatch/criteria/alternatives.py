"""An inclusion item that enumerates alternative diseases, with conditions of their own:
"incurable cancer of one of the following histologies: i) bile duct or gallbladder cancer ...
iii) neuroendocrine cancer ... grade 2 or 3 (Grades 1, 4, and poorly differentiated ... are not
eligible) ... vii) prostate cancer ... (testosterone <= 50 ng/dL) ...".

``alternatives_rule(text, parts) -> Rule | None``. The item is an ``Or`` over its entries, each
``And(its diagnosis test, the conditions read in it)``: a condition of one entry (the prostate
entry's testosterone) binds that entry only, never the whole item. What an entry declares not
eligible ("Grades 1, 4, and poorly differentiated ... are not eligible") becomes a ``Not`` within
the entry. An entry naming no disease the vocabulary knows is a ``Review`` leaf of the ``Or`` (a
patient matching no readable entry is unknown, not ineligible); an entry with words beyond its
disease and state keeps a ``Review`` beside what was read (it can still rule a patient out, never
in). The text before the list (the lead: "stage IV ... or otherwise incurable") applies to every
entry; a lead with an alternative ("or") is met when read, else left to a person.

Entries are the item's sub-items (``parts``) or, inline, a run of markers in sequence
(i, ii, iii ... / a, b, c ... / 1, 2, 3 ...) after an ``alternative_list_cues`` phrase. Only a
list with at least two entries naming a cancer is read here; any other list is left to the
other readers.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from functools import cache

from trialmatch.criteria.clinical import all_of, any_of, concept_hits, disease_state_rule
from trialmatch.criteria.facets import grades_in
from trialmatch.criteria.lexicon import find_phrase, has_phrase, phrases
from trialmatch.criteria.numeric import lab_rules
from trialmatch.criteria.parse_clauses import clauses
from trialmatch.criteria.rules import And, Has, Is, Not, Or, Review, Rule
from trialmatch.vocab.concepts import ConceptHit, concepts, is_a
from trialmatch.vocab.patterns import pattern

__all__ = ["alternatives_rule", "list_entries", "listed_limits_rule"]

_MARKER = pattern("alternatives.marker")
_GRADE_LIST = pattern("alternatives.grade_list")
_NOT_ELIGIBLE = pattern("clinical.not_permitted")
_WELL_DIFF = pattern("clinical.well_differentiated")
_POORLY_DIFF = pattern("clinical.poorly_differentiated")
_OR = pattern("clinical.or_word")
_CUES = "alternative_list_cues"
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv")
_SEQUENCES = (_ROMAN, tuple(string.ascii_lowercase), tuple(str(k) for k in range(1, 31)))
_PAREN = re.compile(r"\([^()]*\)")
_CLAUSE = re.compile(r"[^.;()]+")
_WORDS = re.compile(r"[A-Za-z]{2,}")
#: more words than this beside an entry's concepts and read words leave its conditions to a person
_MAX_UNREAD = 0


@cache
def _read_words() -> frozenset[str]:
    return frozenset(str(w).lower() for w in phrases()["list_entry_read_words"])


def _chain(t: str, start: int) -> list[tuple[int, int]]:
    """(start, end) of each marker of the longest run in sequence after ``start``."""
    cands = [(m.group("m").lower(), m.start(), m.end()) for m in _MARKER.finditer(t, start)]
    best: list[tuple[int, int]] = []
    for seq in _SEQUENCES:
        chain: list[tuple[int, int]] = []
        for v, s, e in cands:
            if len(chain) < len(seq) and v == seq[len(chain)] and (not chain or s >= chain[-1][1]):
                chain.append((s, e))
        if len(chain) > len(best):
            best = chain
    return best


def list_entries(t: str, parts: Sequence[str] = ()) -> tuple[str, list[str], str] | None:
    """(lead, entries, tail) of an item listing alternatives after a list cue, or None. ``tail``
    is text after the last sub-item (a joined item of its own); inline entries have none."""
    if "following" not in t.lower():
        return None  # a word of every list cue
    cue = find_phrase(_CUES, t)
    if cue is None:
        return None
    if parts:
        pos, spans = cue.end(), []
        for p in parts:
            i = t.find(p, pos)
            if i == -1:
                return None
            spans.append((i, i + len(p)))
            pos = i + len(p)
        lead = _MARKER.rx.sub(" ", t[: spans[0][0]])
        entries = list(parts)
        colon = lead.find(":", cue.end())
        first = lead[colon + 1 :].strip(" ;,.") if colon != -1 else ""
        if first:  # "... of the following diagnoses: glioblastoma" then sub-items: the first entry
            lead, entries = lead[: colon + 1], [first, *entries]
        tail = t[spans[-1][1] :].strip(" ,.")
        if tail.startswith(";"):  # entries that lost their indentation, joined by "; " (trial.py)
            entries += clauses(tail)
            tail = ""
        return lead.strip(), entries, tail.strip(" ;")
    chain = _chain(t, cue.end())
    if len(chain) < 2:
        colon = t.find(":", cue.end())
        joined = clauses(t[colon + 1 :]) if colon != -1 else []
        if len(joined) < 2:
            return None
        return t[: colon + 1].strip(), [e.strip(" ,.") for e in joined], ""  # "types: A; B; C"
    ends = [s for s, _ in chain[1:]] + [len(t)]
    entries = [t[e:end].strip(" ;,.") for (_, e), end in zip(chain, ends, strict=True)]
    return t[: chain[0][0]].strip(), entries, ""


def _diagnoses(rule: Rule) -> list[Rule]:
    """The diagnosis tests of ``rule`` (not under a ``Not``), more specific than "cancer"."""
    if isinstance(rule, Has):
        return [rule] if "diagnosis" in rule.kinds and rule.concept != "cancer" else []
    if isinstance(rule, (And, Or)):
        return [h for a in rule.args for h in _diagnoses(a)]
    return []


def _review(what: str, text: str) -> Review:
    return Review(what, f"Does the patient meet: {text[:200]}?")


def _excluded(e: str) -> tuple[str, list[Rule], bool]:
    """(entry without what it declares not eligible, the Nots read from those clauses, whether a
    clause was left unread)."""
    found = [m for m in _PAREN.finditer(e) if _NOT_ELIGIBLE.search(m.group())]
    if not found:
        found = [m for m in _CLAUSE.finditer(e) if _NOT_ELIGIBLE.search(m.group())]
    nots: list[Rule] = []
    unread = False
    body = e
    for m in reversed(found):
        x = m.group()
        body = body[: m.start()] + " " + body[m.end() :]
        gs = set(grades_in(x))
        for g in _GRADE_LIST.finditer(x):
            gs |= {f"G{n}" for n in re.findall(r"[1-4]", g.group("ns"))}
        read: list[Rule] = []
        if gs:
            read.append(Is("cancer.grade", tuple(sorted(gs))))
        if _POORLY_DIFF.search(x):
            read.append(Is("cancer.differentiation", ("poorly",)))
        if _WELL_DIFF.search(x):
            read.append(Is("cancer.differentiation", ("well",)))
        if not read:  # a named disease only when no grade / differentiation says which part of it
            cs = concepts()
            read = [
                Has(h.concept, kinds=("diagnosis",))
                for h in concept_hits(x)
                if cs[h.concept].type in ("disease", "histology")
                and is_a(h.concept, "cancer")
                and h.concept != "cancer"
            ]
        if read:
            nots.extend(Not(r) for r in read)
        else:
            unread = True
    return body, nots, unread


_BEFORE_OR = re.compile(r"((?:[A-Za-z-]+\s+){0,2}[A-Za-z-]+)\s*(?:,|\bor|\band(?:/or)?)\s*$")


def _shared_head(text: str, h: ConceptHit) -> int:
    """Where the first half of "bile duct or gallbladder cancer" starts: the words before "or"
    that, with the head noun of the mention after it, name a concept too (else ``h.start``)."""
    m = _BEFORE_OR.search(text, max(0, h.start - 40), h.start)
    if m is None:
        return h.start
    head = h.text.split()[-1]
    words = m.group(1).split()
    for k in range(len(words)):  # the longest run of words first
        cand = " ".join([*words[k:], head])
        if any(x.start == 0 and x.end == len(cand) for x in concept_hits(cand)):
            return m.start(1) + m.group(1).index(words[k]) if k else m.start(1)
    return h.start


def _unread_words(text: str) -> int:
    """Words of ``text`` outside its concept mentions and the words an entry's reading covers."""
    hits = concept_hits(text)
    keep = list(text)
    for h in hits:
        keep[h.start : h.end] = " " * (h.end - h.start)
        s = _shared_head(text, h)
        keep[s : h.start] = " " * (h.start - s)
    rest = "".join(keep)
    read = _read_words()
    return sum(1 for w in _WORDS.findall(rest) if w.lower() not in read)


def _entry_rule(e: str) -> tuple[Rule, bool]:
    """(rule of one entry, whether it names a cancer the vocabulary knows)."""
    body, nots, unread = _excluded(e)
    ds = disease_state_rule(body)
    if ds is None or not _diagnoses(ds[0]):
        return _review("list entry not understood", e), False
    conj: list[Rule] = [ds[0]]
    labs, _ = lab_rules(body)
    if labs is not None:
        conj.append(labs)
    conj.extend(nots)
    opens = body.rstrip().endswith(":") or find_phrase(_CUES, body) is not None  # "AML with either:"
    if unread or opens or _unread_words(body) > _MAX_UNREAD:
        conj.append(_review("conditions of a list entry", e))
    return all_of(conj) or conj[0], True


def _lead_rule(lead: str) -> Rule | None:
    """What the text before the list asks of every entry (None: nothing read)."""
    # (what follows the cue belongs to the lead: "diagnoses which has not responded to ...:")
    cue = find_phrase(_CUES, lead)
    text = f"{lead[: cue.start()]} {lead[cue.end() :]}" if cue is not None else lead
    ds = disease_state_rule(text)
    args = (ds[0].args if isinstance(ds[0], And) else (ds[0],)) if ds is not None else ()
    r = all_of([a for a in args if not (isinstance(a, Has) and a.concept == "cancer")])
    if r is not None and _OR.search(text):
        r = Or((r, _review("an alternative of the lead", text)))  # "stage IV ... or otherwise incurable"
    if _unread_words(text) > _MAX_UNREAD:  # "... which has not responded to at least one prior regimen"
        rv = _review("what the lead asks", text)
        return rv if r is None else all_of([r, rv])
    return r


def alternatives_rule(t: str, parts: Sequence[str] = ()) -> Rule | None:
    """The rule of an item enumerating alternative diseases, or None when ``t`` is not one."""
    found = list_entries(t, parts)
    if found is None:
        return None
    lead, entries, tail = found
    cs = concepts()
    if not has_phrase("disease_list_lead_words", lead) and not any(
        cs[h.concept].type in ("disease", "histology") for h in concept_hits(lead)
    ):
        return None  # "one of the following indications for chemotherapy": not a list of diseases
    built = [_entry_rule(e) for e in entries if e]
    named = sum(n for _, n in built)
    if named < 2 or 2 * named < len(built):
        return None  # most entries name no disease: a list of something else
    # the entries are distinct diseases: a patient whose diagnosis is one a readable entry names
    # has none of the unread ones (a NET G1 is not the "vulvar cancer" of another entry)
    known = any_of([h for r, named in built if named for h in _diagnoses(r)])
    alts = any_of([r if named or known is None else And((Not(known), r)) for r, named in built])
    if alts is None:
        return None
    conj: list[Rule] = []
    lr = _lead_rule(lead)
    if lr is not None:
        conj.append(lr)
    conj.append(alts)
    if tail and _WORDS.search(tail):
        conj.append(_review("text after the list", tail))
    return all_of(conj) or alts


def listed_limits_rule(t: str, parts: Sequence[str] = ()) -> Rule | None:
    """An item listing alternatives ("one of the following: ...") whose lab limits are not in every
    entry: the limits bind their own entry only, so the item is an Or over the entries, each its
    limits beside a ``Review`` of the rest, or a ``Review`` (None: no such list). Asked when no
    other reader took the item, so it stands for a person's reading, never for a requirement of all."""
    found = list_entries(t, parts)
    if found is None or len(found[1]) < 2:
        return None
    alts: list[Rule] = []
    bare = False
    for e in found[1]:
        labs, _ = lab_rules(e)
        bare = bare or labs is None
        rv = _review("an alternative of the list", e)
        alts.append(rv if labs is None else And((labs, rv)))
    if not bare:
        return None
    lead = found[0]
    cue = find_phrase(_CUES, lead)
    rest = f"{lead[: cue.start()]} {lead[cue.end() :]}" if cue is not None else lead
    either: Rule = Or(tuple(alts))
    # "Active RA defined as >= 6 swollen joints and at least one of the following": the lead binds all
    return And((_review("what the lead asks", rest), either)) if _unread_words(rest) else either
