"""Copied text pages and saved HTML pages, handed to the text-page importer (H2's
:func:`trialmatch.importers.text_page.parse_text_page`) when they look like a trial page.

Gate (cheap, before parsing): the text has a registry id, or words from two of the
``text_page_signals`` groups in ``ctgov_enums.yaml``. After parsing, a "trial" with no registry
id, status, phase, conditions, ages or criteria is rejected too (a README or a licence is not a
trial). HTML is turned into text first (:func:`html_to_text`); an HTML page that fails the gate
(an error page saved as ``.xml``, a search page) is rejected with its ``<title>``.
Caps: 5 MB of text per page, 20 MB of HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from trialmatch.importers.errors import MAX_TEXT_PAGE_BYTES, RecordError
from trialmatch.importers.normalize import vocab
from trialmatch.records.model import Trial

__all__ = [
    "MAX_HTML_BYTES",
    "has_trial_fields",
    "looks_like_trial",
    "parse_page",
    "read_html_page",
    "read_text_page",
]

MAX_HTML_BYTES = 4 * MAX_TEXT_PAGE_BYTES
_REGISTRY_ID = re.compile(
    r"NCT\d{8}|ACTRN\d{14}|ChiCTR[-A-Z]{0,12}\d{6,12}|ISRCTN\d{8}|\b\d{4}-\d{6}-\d{2}\b"
)
_TITLE = re.compile(r"<title[^>]{0,200}>([^<]{0,200})", re.IGNORECASE)


def looks_like_trial(text: str) -> bool:
    """A registry id, or words from two of the ``text_page_signals`` groups."""
    sample = text[:200_000]
    if _REGISTRY_ID.search(sample):
        return True
    low = sample.lower()
    groups = vocab().get("text_page_signals", [])
    return sum(1 for g in groups if any(w in low for w in g)) >= 2


def has_trial_fields(t: Trial) -> bool:
    e = t.eligibility
    return bool(
        t.registry_id
        or t.overall_status
        or t.phases
        or t.conditions
        or (e.criteria_text or "").strip()
        or e.min_age_years is not None
        or e.max_age_years is not None
    )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_capped(fp: IO[bytes], cap: int, what: str, source: str) -> str | RecordError:
    """The decoded content, or a RecordError when it is larger than ``cap`` bytes."""
    data = fp.read(cap + 1)
    if len(data) > cap:
        return RecordError(source, None, f"{what} larger than {cap // (1024 * 1024)} MB; refused")
    return _decode(data)


def read_text_page(fp: IO[bytes], source: str, source_url: str | None) -> Iterator[Trial | RecordError]:
    text = _read_capped(fp, MAX_TEXT_PAGE_BYTES, "text page", source)
    if isinstance(text, RecordError):
        yield text
        return
    if not looks_like_trial(text):
        why = "plain text that is not a trial page (no registry id, trial or eligibility wording)"
        yield RecordError(source, None, why)
        return
    yield from parse_page(text, source, source_url)


def read_html_page(fp: IO[bytes], source: str, source_url: str | None) -> Iterator[Trial | RecordError]:
    from trialmatch.importers.html_text import html_to_text

    html = _read_capped(fp, MAX_HTML_BYTES, "HTML page", source)
    if isinstance(html, RecordError):
        yield html
        return
    m = _TITLE.search(html[:20_000])
    title = f" ({m.group(1).strip()!r})" if m and m.group(1).strip() else ""
    text = html_to_text(html)
    if len(text) > MAX_TEXT_PAGE_BYTES or not looks_like_trial(text):
        why = f"HTML page{title}, not a trial record (an error page saved as a file?)"
        yield RecordError(source, None, why)
        return
    yield from parse_page(text, source, source_url)


def parse_page(text: str, source: str, source_url: str | None) -> Iterator[Trial | RecordError]:
    """Run the text-page importer; never raises."""
    try:
        from trialmatch.importers.text_page import parse_text_page
    except ImportError:
        yield RecordError(source, None, "copied text pages are not supported (text_page importer missing)")
        return
    try:
        result: Any = parse_text_page(text, source=source, source_url=source_url)
    except Exception as exc:
        yield RecordError(source, None, f"text page not understood: {type(exc).__name__}: {exc}")
        return
    if isinstance(result, Trial) and not has_trial_fields(result):
        why = "text with no trial fields (no registry id, status, phase, conditions, ages, criteria)"
        yield RecordError(source, None, why)
    elif isinstance(result, (Trial, RecordError)):
        yield result
    else:
        yield RecordError(source, None, "text page importer returned no trial")
