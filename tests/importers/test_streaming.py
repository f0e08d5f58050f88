"""List responses stream one study at a time; zips, gzip, folders; broken and truncated input."""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

from tests.conftest import SHARED
from trialmatch.importers import RecordError, read_bytes, read_path
from trialmatch.importers.jsonstream import JsonStream
from trialmatch.records.model import Trial

API = SHARED / "data" / "ctgov_api_v2"
XML = SHARED / "data" / "ctgov_legacy_xml"


def _study(i: int, criteria: str = "Inclusion Criteria:\n\n* Adults") -> dict[str, Any]:
    return {
        "protocolSection": {
            "identificationModule": {"nctId": f"NCT{i:08d}", "briefTitle": f'Study {i} \u2013 "q" [x]'},
            "statusModule": {"overallStatus": "RECRUITING"},
            "eligibilityModule": {"eligibilityCriteria": criteria, "minimumAge": "18 Years"},
        },
        "hasResults": False,
    }


def _list_response(n: int, **kw: Any) -> str:
    return json.dumps({"studies": [_study(i, **kw) for i in range(n)], "nextPageToken": "abc"}, indent=1)


def test_list_response_streams_every_study(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_text(_list_response(500, criteria="x" * 3000))
    out = list(read_path(path))
    assert len(out) == 500 and all(isinstance(t, Trial) for t in out)
    assert [t.id for t in out if isinstance(t, Trial)][:2] == ["NCT00000000", "NCT00000001"]
    first = out[0]
    assert isinstance(first, Trial) and first.provenance is not None
    assert first.provenance.record_index == 0 and first.provenance.source == str(path)


def test_small_chunks_split_records_anywhere() -> None:
    text = _list_response(40)
    s2 = JsonStream(io.StringIO(text), chunk_size=7)
    s2.expect("{")
    assert s2.key() == "studies"
    ids = [obj["protocolSection"]["identificationModule"]["nctId"] for obj, _raw in s2.items()]
    assert ids == [f"NCT{i:08d}" for i in range(40)]
    assert s2.key() == "nextPageToken"


def _peak(path: Path) -> int:
    tracemalloc.start()
    n = sum(1 for r in read_path(path) if isinstance(r, Trial))
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert n > 0
    return peak


def test_streaming_memory_is_bounded(tmp_path: Path) -> None:
    small, big = tmp_path / "small.json", tmp_path / "big.json"
    small.write_text(_list_response(200, criteria="y" * 20_000))  # ~4 MB
    big.write_text(_list_response(1200, criteria="y" * 20_000))  # ~24 MB
    p_small, p_big = _peak(small), _peak(big)
    # memory holds a chunk and a record, never the whole file: it does not grow with the file
    assert p_big < big.stat().st_size / 3, p_big
    assert p_big < p_small * 1.5 + 1_000_000, (p_small, p_big)


def test_truncated_list_keeps_complete_records(tmp_path: Path) -> None:
    text = _list_response(10)
    path = tmp_path / "cut.json"
    path.write_text(text[: int(len(text) * 0.65)])
    out = list(read_path(path))
    trials = [r for r in out if isinstance(r, Trial)]
    errors = [r for r in out if isinstance(r, RecordError)]
    assert 4 <= len(trials) < 10
    assert len(errors) == 1 and "truncated" in errors[0].reason and errors[0].record == len(trials)


def test_malformed_json_is_reported() -> None:
    (err,) = list(read_bytes(b'{"protocolSection": {"identificationModule": {"nctId": NCT1}}}', "bad.json"))
    assert isinstance(err, RecordError) and "malformed JSON" in err.reason and err.file == "bad.json"


def test_bad_record_in_list_does_not_stop_the_rest() -> None:
    studies = [_study(1), {"protocolSection": {"statusModule": {}}}, [1, 2], _study(3)]
    out = list(read_bytes(json.dumps({"studies": studies}).encode(), "list.json"))
    assert [type(r).__name__ for r in out] == ["Trial", "RecordError", "RecordError", "Trial"]
    assert isinstance(out[1], RecordError) and out[1].record == 1 and "without id" in out[1].reason


def test_top_level_array_and_bom() -> None:
    data = b"\xef\xbb\xbf  " + json.dumps([_study(1), _study(2)]).encode()
    ids = [r.id for r in read_bytes(data, "a.json") if isinstance(r, Trial)]
    assert ids == ["NCT00000001", "NCT00000002"]


def test_zip_of_json_and_xml(tmp_path: Path, shared: Path) -> None:
    z = tmp_path / "bulk.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(API / "NCT06171568.json", "ctg-studies/NCT06171568.json")
        zf.write(XML / "NCT00023673.xml", "ctg-studies/NCT00023673.xml")
        zf.write(XML / "Invalid-nct-id.html", "ctg-studies/NCT99999999.xml")
        zf.writestr("ctg-studies/", "")
        zf.writestr("__MACOSX/._junk", "x")
    out = list(read_path(z))
    trials = sorted(r.id for r in out if isinstance(r, Trial))
    errors = [r for r in out if isinstance(r, RecordError)]
    assert trials == ["NCT00023673", "NCT06171568"]
    assert len(errors) == 1 and errors[0].file.endswith("bulk.zip!ctg-studies/NCT99999999.xml")
    assert "HTML" in errors[0].reason


def test_shared_zip_and_gzip(tmp_path: Path, shared: Path) -> None:
    out = list(read_path(XML / "download_xml_files.zip"))
    assert sorted(r.id for r in out if isinstance(r, Trial)) == ["NCT00482794", "NCT00513591"]
    gz = tmp_path / "list.json.gz"
    gz.write_bytes(gzip.compress(_list_response(3).encode()))
    assert len([r for r in read_path(gz) if isinstance(r, Trial)]) == 3


def test_truncated_zip_is_reported(tmp_path: Path, shared: Path) -> None:
    data = (XML / "download_xml_files.zip").read_bytes()
    out = list(read_bytes(data[: len(data) // 2], "cut.zip"))
    assert out and all(isinstance(r, RecordError) for r in out)
    assert "zip" in out[0].reason


def test_folder_is_read_recursively(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "s.json").write_text(json.dumps(_study(7)))
    (tmp_path / "a" / "t.json").write_text(json.dumps(_study(8)))
    (tmp_path / ".hidden.json").write_text(json.dumps(_study(9)))
    assert sorted(r.id for r in read_path(tmp_path) if isinstance(r, Trial)) == ["NCT00000007", "NCT00000008"]
    (missing,) = list(read_path(tmp_path / "nope"))
    assert isinstance(missing, RecordError) and "no such file" in missing.reason


def test_truncated_and_unsafe_xml(shared: Path) -> None:
    data = (XML / "NCT00023673.xml").read_bytes()
    (err,) = list(read_bytes(data[:5000], "NCT00023673.xml"))
    assert isinstance(err, RecordError) and "XML" in err.reason
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><clinical_study/>'
    (err,) = list(read_bytes(bomb, "bomb.xml"))
    assert isinstance(err, RecordError) and "entities" in err.reason


def test_size_cap_for_text_pages() -> None:
    from trialmatch.importers import MAX_TEXT_PAGE_BYTES

    (err,) = list(read_bytes(b"Eligibility " * (MAX_TEXT_PAGE_BYTES // 10), "huge.txt"))
    assert isinstance(err, RecordError) and "larger than" in err.reason


def test_record_size_cap_skips_one_record() -> None:
    import trialmatch.importers.jsonstream as js

    tricky = 'z"\\]}{[' * 20_000  # quotes, escapes and brackets inside the oversized string
    studies = [_study(1), _study(2, criteria=tricky), _study(3), "x" * 80_000, _study(4)]
    s = js.JsonStream(io.StringIO(json.dumps({"studies": studies})), chunk_size=4096, max_value=50_000)
    s.expect("{")
    assert s.key() == "studies"
    got = [
        obj if obj is js.TOO_LARGE else obj["protocolSection"]["identificationModule"]["nctId"]
        for obj, _raw in s.items()
    ]
    assert got == ["NCT00000001", js.TOO_LARGE, "NCT00000003", js.TOO_LARGE, "NCT00000004"]
    assert s.key() is None


def test_oversized_record_is_reported_and_the_rest_imports(monkeypatch: Any) -> None:
    import trialmatch.importers.jsonstream as js

    monkeypatch.setattr(js.JsonStream.__init__, "__defaults__", (1 << 20, 100_000))
    data = json.dumps({"studies": [_study(1), _study(2, criteria="w" * 300_000), _study(3)]}).encode()
    out = list(read_bytes(data, "list.json"))
    assert [type(r).__name__ for r in out] == ["Trial", "RecordError", "Trial"]
    assert isinstance(out[1], RecordError) and out[1].record == 1 and "skipped" in out[1].reason


def test_source_url_and_binary() -> None:
    (t,) = list(read_bytes(json.dumps(_study(5)).encode(), "x.json", source_url="https://example.org/s"))
    assert isinstance(t, Trial) and t.provenance is not None
    assert t.provenance.source_url == "https://example.org/s"
    (err,) = list(read_bytes(b"\x00\x01\x02binary", "blob.bin"))
    assert isinstance(err, RecordError) and "binary" in err.reason
    (err,) = list(read_bytes(b"   \n", "blank.json"))
    assert isinstance(err, RecordError) and "empty" in err.reason


def test_xml_record_size_cap(monkeypatch: Any, shared: Path) -> None:
    import trialmatch.importers.reader as reader

    monkeypatch.setattr(reader, "MAX_RECORD_BYTES", 20_000)
    big = (XML / "NCT00023673.xml").read_bytes()
    assert len(big) > 40_000
    (err,) = list(read_bytes(big, "NCT00023673.xml"))
    assert isinstance(err, RecordError) and "larger than" in err.reason
    (ok,) = list(read_bytes((XML / "NCT00513591.xml").read_bytes(), "NCT00513591.xml"))
    assert isinstance(ok, Trial)


def test_imported_at_is_set_by_the_reader() -> None:
    (t,) = list(read_bytes(json.dumps(_study(5)).encode(), "x.json"))
    assert isinstance(t, Trial) and t.provenance is not None
    assert t.provenance.imported_at is not None and t.provenance.imported_at.tzinfo is not None


def test_utf16_files_are_decoded() -> None:
    data = json.dumps(_study(6)).encode("utf-16")  # with a BOM, as Windows "Unicode" saves it
    (t,) = list(read_bytes(data, "s.json"))
    assert isinstance(t, Trial) and t.id == "NCT00000006"


def test_json_lines() -> None:
    lines = [json.dumps(_study(i)) for i in range(3)] + ['{"_id": "x", "title": "not a study"}']
    out = list(read_bytes("\n".join(lines).encode(), "studies.jsonl"))
    assert [r.id for r in out if isinstance(r, Trial)] == ["NCT00000000", "NCT00000001", "NCT00000002"]
    assert isinstance(out[3], RecordError) and out[3].record == 3 and "not a study record" in out[3].reason
    (err,) = list(read_bytes(b'{"protocolSection": {}} trailing', "x.json"))
    assert isinstance(err, RecordError) and "extra data" in err.reason


def test_text_without_trial_fields_is_rejected() -> None:
    text = (
        "# data\n\nThe processed data are based on the ClinicalTrials.gov database.\n\n"
        "- phase I training data, used by the trial outcome model; see criteria below.\n"
    )
    out = list(read_bytes(text.encode(), "README.md"))
    assert len(out) == 1 and isinstance(out[0], RecordError)
    assert "not a trial page" in out[0].reason or "no trial fields" in out[0].reason


def test_compression_bombs_are_refused(monkeypatch: Any, tmp_path: Path) -> None:
    import trialmatch.importers.reader as reader

    monkeypatch.setattr(reader, "_RATIO_ALLOWANCE", 100_000)
    bomb = gzip.compress(b"[" + b" " * 5_000_000)  # 5 MB of blanks in ~5 KB
    out = list(read_bytes(bomb, "bomb.json.gz"))
    assert len(out) == 1 and isinstance(out[0], RecordError) and "bomb" in out[0].reason
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x.json", b"[" + b" " * 5_000_000)
    (err,) = list(read_path(z))
    assert isinstance(err, RecordError) and "bomb" in err.reason
