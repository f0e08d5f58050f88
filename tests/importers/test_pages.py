"""Saved HTML pages and copied text pages: converted, gated, handed to the text-page importer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED
from trialmatch.importers import RecordError, read_bytes, read_path
from trialmatch.importers.html_text import html_to_text
from trialmatch.records.model import Trial

PAGE = """<!DOCTYPE html><html><head><title>NEN trial</title><style>p {color: red}</style>
<script>var x = "<p>not text</p>";</script></head><body>
<nav><a href="/">Home</a> | <a href="/faq">FAQ</a></nav>
<h1>Study of Drug X in Neuroendocrine Tumors</h1>
<table><tr><th>NCT Number</th><td>NCT01234567</td></tr><tr><th>Recruitment Status</th><td>Recruiting</td></tr>
</table>
<h2>Eligibility Criteria</h2><p>Inclusion Criteria:</p>
<ul><li>Age &ge; 18 years</li><li>Histologically confirmed NET</li></ul>
<footer>Sign up for our newsletter</footer></body></html>"""


def test_html_to_text_keeps_content_and_drops_chrome() -> None:
    text = html_to_text(PAGE)
    assert "Study of Drug X in Neuroendocrine Tumors" in text
    assert "NCT Number | NCT01234567" in text and "Recruitment Status | Recruiting" in text
    assert "- Age ≥ 18 years\n" in text + "\n"
    for junk in ("not text", "color: red", "FAQ", "newsletter", "Home"):
        assert junk not in text


def test_saved_html_trial_page_imports() -> None:
    pytest.importorskip("trialmatch.importers.text_page")
    out = list(read_bytes(PAGE.encode(), "page.html"))
    assert len(out) == 1 and isinstance(out[0], Trial), out
    assert out[0].registry_id == "NCT01234567"


def test_html_error_page_is_rejected_with_its_title(shared: Path) -> None:
    (err,) = list(read_path(SHARED / "data" / "ctgov_legacy_xml" / "Invalid-nct-id.html"))
    assert isinstance(err, RecordError) and "Invalid URL Path" in err.reason and "not a trial" in err.reason


def test_html_converter_is_linear() -> None:
    text = html_to_text("<div>" * 20_000 + "x" + "</div>" * 20_000 + "<li>" * 20_000)
    assert text.startswith("x")
