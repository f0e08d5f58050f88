"""Free-text patient notes -> :class:`~trialmatch.patients.model.Patient`.

``read_note(text, as_of)`` reads age and sex, conditions with their status (medspaCy ConText and
sectionizer: present / absent / history / family / hypothetical / possible), cancer details,
performance status, labs, medications and prior treatments (relative times resolved against
``as_of``), procedures, pregnancy, smoking and allergies. Every fact keeps its sentence and offsets.

medspaCy is imported lazily and the pipeline built once per process (``nlp()``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import threading
from typing import Any

from trialmatch.patients.model import (
    Cancer,
    Condition,
    Fact,
    Patient,
    PerformanceStatus,
    Stage,
    Vitals,
)
from trialmatch.patients.notes_cancer import is_cancer as _is_cancer
from trialmatch.patients.notes_cancer import primary_site as _primary_site
from trialmatch.patients.notes_extract import (
    Sentence,
    cue_alt,
    cue_regex,
    find_age,
    find_dates,
    find_relative_date,
    find_sex,
    phrases,
    split_sentences,
    unwrap_lines,
)
from trialmatch.patients.notes_sentence import facts_for_sentence

__all__ = ["MAX_NOTE_CHARS", "condition_terms", "nlp", "read_note", "sentences_of"]

#: Notes longer than this are cut (with a warning) so that no input can make reading slow.
MAX_NOTE_CHARS = 100_000

_LOCK = threading.Lock()
_NLP: Any = None


def condition_terms() -> list[tuple[str, list[str]]]:
    """(canonical name, synonyms) of conditions the target matcher looks for: the note vocabulary plus
    the shared concepts vocabulary when it exists."""
    out: list[tuple[str, list[str]]] = []
    for group in phrases()["conditions"]:
        out.append((str(group[0]), [str(g) for g in group]))
    try:  # the shared concepts vocabulary, optional
        import importlib

        mod = importlib.import_module("trialmatch.vocab.concepts")
        for cid, c in mod.concepts().items():
            if c.type not in ("disease", "histology", "condition", "metastasis"):
                continue
            names = [str(n) for n in c.names if n and len(str(n)) > 2] + [str(a) for a in c.abbr if a]
            if names:
                out.append((str(cid), names))
    except Exception:
        pass
    return out


def nlp() -> Any:
    """The medspaCy pipeline (sentences, target matcher, ConText, sectionizer), built once."""
    global _NLP
    if _NLP is not None:
        return _NLP
    with _LOCK:
        if _NLP is None:
            from loguru import logger

            logger.remove()
            import medspacy
            from medspacy.ner import TargetRule

            pipe = medspacy.load()
            # PyRuSH is slow on long notes and floods the log; spaCy's sentencizer is enough here
            with contextlib.suppress(Exception):
                pipe.remove_pipe("medspacy_pyrush")
                pipe.add_pipe("sentencizer", first=True, config={"punct_chars": [".", "!", "?", ";", "\n"]})
            with contextlib.suppress(Exception):
                pipe.add_pipe("medspacy_sectionizer")
            rules = []
            seen: set[str] = set()
            for name, syns in condition_terms():
                for syn in syns:
                    key = syn.lower()
                    if key in seen or len(key) < 2:
                        continue
                    seen.add(key)
                    if syn.isupper() or (len(key) <= 3 and key.isalpha()):
                        # abbreviations match their exact spelling ("PE", "MI", "NET")
                        pat = [{"TEXT": syn if syn.isupper() else syn.upper()}]
                        rules.append(TargetRule(syn, "CONDITION", pattern=pat, metadata={"name": name}))
                    else:
                        rules.append(TargetRule(syn, "CONDITION", metadata={"name": name}))
            pipe.get_pipe("medspacy_target_matcher").add(rules)
            _NLP = pipe
    return _NLP


_LONG_TOKEN = re.compile(r"\S{60,}")


def _nlp_safe(text: str) -> str:
    """The text with over-long tokens blanked (same length, so offsets hold): spaCy's tokenizer is
    slow on runs like ``((((...``."""
    return _LONG_TOKEN.sub(lambda m: " " * len(m.group(0)), text)


#: Notes are read in chunks of whole lines up to this size (medspaCy's matcher is slow on long docs).
CHUNK_CHARS = 4000


def _chunks(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + CHUNK_CHARS)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = text.rfind(". ", start, end)
            end = cut + 1 if cut > start else end
        out.append((start, text[start:end]))
        start = end
    return out


def _entities(text: str) -> list[tuple[int, int, str, str, str]]:
    """(start, end, text, concept name, status) of every condition mention, ConText status applied."""
    out: list[tuple[int, int, str, str, str]] = []
    chunks = _chunks(_nlp_safe(text))
    for (offset, _chunk), doc in zip(chunks, nlp().pipe(c for _, c in chunks), strict=True):
        for ent in doc.ents:
            rule = getattr(ent._, "target_rule", None)
            name = (
                str((rule.metadata or {}).get("name", ent.text.lower()))
                if rule is not None
                else ent.text.lower()
            )
            out.append((offset + ent.start_char, offset + ent.end_char, ent.text, name, _status(ent)))
    return out


def _status(ent: Any) -> str:
    sec = getattr(ent._, "section_category", None) or ""
    if ent._.is_family or sec == "family_history":
        return "family"
    if ent._.is_negated:
        return "absent"
    if ent._.is_hypothetical:
        return "hypothetical"
    if ent._.is_uncertain:
        return "possible"
    if ent._.is_historical or sec == "past_medical_history":
        return "history"
    return "present"


@functools.cache
def _time_cues() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(a finished past event: "he had / suffered ...", something ongoing, a past time after a mention)
    from the vocabulary's ``past_event_cues``, ``ongoing_cues`` and ``ago_words``."""
    ongoing = re.compile(rf"(?<!\w)(?:{cue_alt('ongoing_cues')}|for \d{{1,3}})(?!\w)", re.I)
    rel = re.compile(rf"\b{cue_alt('ago_words')}\b|\bin (?:19|20)\d\d\b|\bat (?:the )?age (?:of )?\d", re.I)
    return cue_regex("past_event_cues"), ongoing, rel


def _condition_time(sentence: str, pos: int, as_of: dt.date | None) -> tuple[dt.date | None, bool]:
    """The onset date of a condition mentioned at ``pos`` of ``sentence`` (a relative time after the
    mention, else the sentence's first relative or absolute date), and whether the sentence reports a
    finished past event ("had ... two years ago") rather than a current condition."""
    if not sentence:
        return None, False
    pos = max(0, min(pos, len(sentence)))
    tail = sentence[pos : pos + 120]
    when = find_relative_date(tail, as_of) or find_relative_date(sentence, as_of)
    dates = find_dates(tail) or find_dates(sentence)
    onset = when[0] if when else (dates[0][0] if dates else None)
    past_event, ongoing, relative = _time_cues()
    rel = relative.search(tail)
    head = sentence[:pos]
    past = bool(rel and past_event.search(head[-80:]) and not ongoing.search(head[-80:] + tail[: rel.end()]))
    return onset, past


def sentences_of(text: str) -> list[Sentence]:
    return split_sentences(text[:MAX_NOTE_CHARS])


def _sent_for(sents: list[Sentence], pos: int) -> Sentence | None:
    for s in sents:
        if s.start <= pos < s.end + 1:
            return s
    return None


def read_note(text: str, as_of: dt.date | None = None) -> Patient:
    """Read an English clinical note into a Patient (never raises on odd input)."""
    warnings: list[str] = []
    if not isinstance(text, str):
        text = str(text or "")
    if len(text) > MAX_NOTE_CHARS:
        warnings.append(f"note cut to its first {MAX_NOTE_CHARS} characters")
        text = text[:MAX_NOTE_CHARS]
    text = unwrap_lines(text.replace("\x00", " "))
    sents = split_sentences(text)
    facts: list[Fact] = []
    p: dict[str, Any] = {
        "labs": [],
        "ps": PerformanceStatus(),
        "cancer_details": {},
        "pregnant": None,
        "smoking": None,
        "allergies": [],
        "treatments": [],
        "medications": [],
        "procedures": [],
        "metastatic": None,
        "met_sites": [],
        "vitals": {},
    }
    kw: dict[str, Any] = {}
    age = find_age(text)
    if age:
        kw["age"] = round(age[0], 2)
        s = _sent_for(sents, age[1])
        facts.append(
            Fact(
                kind="demographic",
                name="age",
                value=kw["age"],
                source_text=s.text if s else None,
                char_start=s.start if s else None,
                char_end=s.end if s else None,
            )
        )
    sex = find_sex(text)
    if sex:
        kw["sex"] = sex[0]
        s = _sent_for(sents, sex[1]) if sex[2] else (sents[0] if sents else None)
        facts.append(
            Fact(
                kind="demographic",
                name="sex",
                value=sex[0],
                source_text=s.text if s else None,
                char_start=s.start if s else None,
                char_end=s.end if s else None,
            )
        )
    for s in sents:
        facts_for_sentence(s, as_of, p, facts)
    conditions: list[Condition] = []
    if text.strip():
        try:
            ents = _entities(text)
        except Exception as exc:  # a pipeline failure must not lose the rest
            warnings.append(f"NLP pipeline failed: {type(exc).__name__}")
            ents = []
        for start, end, as_written, name, st in ents:
            s = _sent_for(sents, start)
            facts.append(
                Fact(
                    kind="condition",
                    name=name,
                    status=st,  # type: ignore[arg-type]
                    value={"as_written": as_written},
                    source_text=s.text if s else text[start:end],
                    char_start=s.start if s else start,
                    char_end=s.end if s else end,
                )
            )
            onset, past = _condition_time(s.text if s else "", start - (s.start if s else start), as_of)
            if st == "present" and past:
                st = "history"
                facts[-1].status = "history"
            if st in ("present", "history") and not _is_cancer(name) and "metasta" not in name:
                conditions.append(
                    Condition(name=name, status="active" if st == "present" else "history", onset_date=onset)
                )
    cd = p["cancer_details"]
    cancer: Cancer | None = None
    cancer_facts = [
        f
        for f in facts
        if f.kind == "condition" and f.status in ("present", "history") and _is_cancer(f.name)
    ]
    if cd or p["metastatic"] or cancer_facts:
        stage = None
        if cd.get("stage_group") or cd.get("tnm"):
            tnm = cd.get("tnm") or (None, None, None)
            stage = Stage(group=cd.get("stage_group"), t=tnm[0], n=tnm[1], m=tnm[2])
        cancer = Cancer(
            grade=cd.get("grade"),
            differentiation=cd.get("differentiation"),
            ki67_percent=cd.get("ki67_percent"),
            mitoses_per_2mm2=cd.get("mitoses_per_2mm2"),
            stage=stage,
            metastatic=p["metastatic"],
            metastasis_sites=p["met_sites"] or None,
        )
        names = sorted(cancer_facts, key=lambda f: (f.name in ("cancer", "metastases"), f.char_start or 0))
        if names:
            cancer.name = str((names[0].value or {}).get("as_written", names[0].name))
            diag = find_dates(names[0].source_text or "")
            if diag and cue_regex("diagnosis_cues").search(names[0].source_text or ""):
                cancer.diagnosis_date = diag[0][0]
        site = next(
            (x for x in map(_primary_site, sorted(cancer_facts, key=lambda f: f.char_start or 0)) if x), None
        )
        if site:
            cancer.primary_site = site
        if cue_regex("histology_cues").search(text[:MAX_NOTE_CHARS]):
            cancer.confirmed_by = "histology"
    ps = p["ps"]
    patient = Patient(
        as_of=as_of,
        cancer=cancer,
        conditions=conditions or None,
        procedures=p["procedures"] or None,
        treatments=p["treatments"] or None,
        medications=p["medications"] or None,
        allergies=p["allergies"] or None,
        performance_status=ps if (ps.ecog is not None or ps.karnofsky is not None) else None,
        labs=p["labs"] or None,
        vitals=Vitals(**p["vitals"]) if p["vitals"] else None,
        pregnant=p["pregnant"],
        notes=text,
        facts=facts,
        source_format="note",
        warnings=warnings or None,
        **kw,
    )
    if p["smoking"]:
        patient.smoking = p["smoking"]  # type: ignore[attr-defined]  # extra field, kept by extra="allow"
    return patient
