"""HTML pages: search, trial page sections, escaping, 404s, FAQ, glossary, headers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from markupsafe import escape


def test_home_and_search(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert "<main" in r.text and 'class="skip-link"' in r.text and 'lang="en"' in r.text
    r = client.get("/search", params={"q": "neuroendocrine"})
    assert r.status_code == 200
    assert "NCT07077551" in r.text
    assert "Recruiting" in r.text and "Phase 2" in r.text
    assert "Nearest site:" in r.text


def test_search_filters(client: TestClient) -> None:
    r = client.get("/search", params={"q": "neuroendocrine", "status": "COMPLETED"})
    assert "NCT05000001" in r.text and "NCT07077551" not in r.text
    r = client.get("/search", params={"q": "neuroendocrine", "age": "80"})
    assert "NCT07077551" not in r.text  # maximum age 75
    r = client.get("/search", params={"q": "neuroendocrine", "phase": "PHASE2"})
    assert "NCT07077551" in r.text and "NCT05000001" not in r.text


def test_search_distance(client: TestClient) -> None:
    r = client.get("/search", params={"near": "42.35,-71.05", "radius": "100"})
    assert r.status_code == 200
    assert "NCT05000001" in r.text and " km)" in r.text
    assert "NCT07077551" not in r.text  # Hangzhou is far away


def test_stale_status_warning(client: TestClient) -> None:
    r = client.get("/search", params={"q": "nalirifox"})
    item = r.text.split('href="/trials/NCT07077551"')[1].split("</li>")[0]
    assert '<p class="warning">' in item  # open, last updated 2025-07
    assert ("out of date" in item) or ("no update for over a year" in item)


def test_trial_page_sections(client: TestClient) -> None:
    r = client.get("/trials/NCT07077551")
    assert r.status_code == 200
    body = r.text
    for needle in (
        "NALIRIFOX",
        "ECOG",
        "Overview",
        "In plain language",
        "Timeline",
        "Study design",
        "Arms and interventions",
        "Eligibility criteria",
        "How TrialMatch reads this",
        "Sponsor and investigators",
        "Locations (1)",
        "Identifiers and source",
        "Data current as of",
        "Related trials",
        "Am I eligible?",
        "Contact the study team",
        "0 patients applied",
        "Single group",
        "liposomal irinotecan",
        "Hangzhou",
    ):
        assert needle in body, needle
    assert "<details" in body


def test_trial_page_distances(client: TestClient) -> None:
    r = client.get("/trials/NCT07077551", params={"near": "31.23,121.47"})  # Shanghai
    assert "km away" in r.text


def test_escaping(client: TestClient) -> None:
    r = client.get("/trials/NCT09999999")
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text
    assert "&lt;script&gt;" in r.text
    assert "<img src=x" not in r.text
    r = client.get("/search", params={"q": "<script>alert(3)</script>"})
    assert "<script>alert(3)" not in r.text


def test_unknown_trial_is_404_page(client: TestClient) -> None:
    r = client.get("/trials/NCT00000000")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
    assert "Page not found" in r.text
    assert client.get("/no/such/page").status_code == 404


def test_faq_glossary(client: TestClient) -> None:
    r = client.get("/faq")
    assert r.status_code == 200 and "What is a clinical trial?" in r.text
    r = client.get("/glossary")
    assert r.status_code == 200 and "<h1>Glossary</h1>" in r.text
    terms = client.app.state.backend.glossary()  # type: ignore[attr-defined]
    if terms:  # the search package's glossary is there: every term is listed, escaped
        assert all(str(escape(t)) in r.text for t, _ in terms)


def test_security_headers_everywhere(client: TestClient) -> None:
    for url in (
        "/",
        "/trials/NCT07077551",
        "/trials/NOPE",
        "/api/trials/NCT07077551",
        "/faq",
        "/static/style.css",
    ):
        r = client.get(url)
        csp = r.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, url
        assert r.headers.get("x-content-type-options") == "nosniff"


def test_no_inline_scripts(client: TestClient) -> None:
    for url in ("/", "/trials/NCT07077551", "/match", "/notes", "/alerts"):
        body = client.get(url).text
        assert "<script>" not in body and "onclick=" not in body and "style=" not in body, url


def test_docs_page_works(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200 and "swagger" in r.text.lower()
    csp = r.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "cdn" not in csp
    assert "/static/swagger/swagger-ui-bundle.js" in r.text
    spec = client.get("/openapi.json").json()
    assert "/api/match" in spec["paths"] and "/api/trials/{trial_id}/criteria" in spec["paths"]
    assert "/trials/{trial_id}" not in spec["paths"]  # HTML pages are not part of the API


def test_glossary_marks_escape_untrusted_text() -> None:
    from trialmatch.web.views import explain, unit_text

    html = str(explain("<b>ECOG</b> score & ECOG", [("ECOG", 'Scale "0-5" <x>', "ECOG")]))
    assert html.startswith("&lt;b&gt;<abbr") and html.count("<abbr") == 1
    assert 'title="Scale &#34;0-5&#34; &lt;x&gt;"' in html and "&amp;" in html
    assert unit_text("10*9/L") == "×10⁹/L" and unit_text("mg/dL") == "mg/dL"


def test_related_trials_page_and_fragment(client: TestClient) -> None:
    page = client.get("/trials/NCT07077551")
    assert 'hx-get="/trials/NCT07077551/related"' in page.text and "Show related trials" in page.text
    r = client.get("/trials/NCT07077551/related")
    assert r.status_code == 200 and "<h1>" in r.text and "/trials/NCT" in r.text
    frag = client.get("/trials/NCT07077551/related", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "<html" not in frag.text and 'class="related"' in frag.text
    assert client.get("/trials/NCT00000000/related").status_code == 404


def test_search_more_results_link(client: TestClient) -> None:
    r = client.get("/search", params={"q": "neuroendocrine", "limit": "2"})
    assert r.text.count('class="result"') == 2 and "Show more results" in r.text and "limit=27" in r.text
    r = client.get("/search", params={"q": "neuroendocrine", "near": "Boston"})
    assert "?near=Boston#locations" in r.text


def test_criterion_badges_read_exclusions_right() -> None:
    from trialmatch.matching.model import CriterionResult
    from trialmatch.web.views import crit_badge, deciding

    def cr(kind: str, verdict: str) -> CriterionResult:
        return CriterionResult(kind=kind, text="x", verdict=verdict)  # type: ignore[arg-type]

    assert crit_badge(cr("exclusion", "met"))[1] == "Excludes you"
    assert crit_badge(cr("exclusion", "not_met"))[1] == "Not excluded"
    assert crit_badge(cr("inclusion", "not_met"))[1] == "Not met"
    items = [cr("exclusion", "not_met"), cr("inclusion", "unknown"), cr("exclusion", "met")]
    assert [c.verdict for c in deciding(items)] == ["met", "unknown"]
