"""One entry point for every trial source: a file, a folder (recursive), a .zip (or .gz) of them.

The format is told from the content, never the file name:

* ``PK\\x03\\x04`` -> zip archive (the bulk all-studies ZIP of per-study JSON, or XML files);
  ``\\x1f\\x8b`` -> gzip;
* ``{`` / ``[`` -> JSON: an API v2 study, a v2 list response ``{"studies": [...]}`` (streamed one
  study at a time), a classic-API ``FullStudiesResponse`` (streamed), a JSON array of studies, or
  JSON Lines (one study per line, streamed);
* ``<`` -> XML ``clinical_study`` (legacy ClinicalTrials.gov); an HTML document is turned into
  text and read as a trial page when it looks like one, else rejected (an error page saved as
  ``.xml``; see :mod:`trialmatch.importers.pages`);
* a CSV whose header has ``nctid`` and ``criteria`` -> HINT trial-outcome rows; a JSON object with
  ``NCT_ID`` -> a TrialGPT ``trial_info`` record (:mod:`trialmatch.importers.research_sets`);
* anything else readable as text -> a copied trial page (:mod:`trialmatch.importers.text_page`).

Nothing raises out of the iterators: each bad record becomes a :class:`RecordError` and the rest
of the batch continues. Caps (see :mod:`trialmatch.importers.errors`): 32 MB per JSON/XML record,
5 MB per text page. A single-study file whose name carries one NCT id different from the record's
id is rejected as an *id mismatch* (the file was mislabelled or overwritten; which is right cannot
be told). List and bulk files are not checked against their name.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from trialmatch.importers.ctgov_json import is_v2_study, study_to_trial
from trialmatch.importers.ctgov_v1 import is_v1_study, v1_to_v2
from trialmatch.importers.ctgov_xml import XmlRejected, iter_xml_studies
from trialmatch.importers.errors import (
    MAX_RECORD_BYTES,
    MAX_ZIP_MEMBER_BYTES,
    RecordError,
)
from trialmatch.importers.jsonstream import TOO_LARGE, JsonStream, JsonStreamError, RecordTooLarge
from trialmatch.importers.normalize import nct_ids
from trialmatch.importers.pages import read_html_page, read_text_page
from trialmatch.importers.research_sets import is_hint_header, is_trialgpt, iter_hint_csv, trialgpt_to_trial
from trialmatch.records.model import Trial

__all__ = ["ImportResult", "read_bytes", "read_path", "read_stream"]

ImportResult = Trial | RecordError

_HEAD = 8192
_MAX_DEPTH = 3
_SMALL_MEMBER = 8 * 1024 * 1024
#: First keys of JSON objects that wrap a list of studies (read as a stream).
_WRAPPER_KEYS = frozenset(
    {"studies", "nextPageToken", "totalCount", "FullStudiesResponse", "StudyFieldsResponse", "FullStudies"}
)
_SKIP_KEYS = frozenset(
    {
        "APIVrs",
        "DataVrs",
        "Expression",
        "NStudiesAvail",
        "NStudiesFound",
        "MinRank",
        "MaxRank",
        "NStudiesReturned",
        "nextPageToken",
        "totalCount",
    }
)
_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)


def read_path(path: str | Path, source_url: str | None = None) -> Iterator[ImportResult]:
    """Trials (or :class:`RecordError`) from a file, a folder (recursively, sorted) or an archive."""
    p = Path(path)
    if p.is_dir():
        for f in sorted(p.rglob("*")):
            rel = f.relative_to(p)
            if f.is_file() and not any(part.startswith(".") for part in rel.parts):
                yield from _read_file(f, source_url)
    elif p.is_file():
        yield from _read_file(p, source_url)
    else:
        yield RecordError(str(p), None, "no such file or folder")


def read_bytes(data: bytes, name: str, source_url: str | None = None) -> Iterator[ImportResult]:
    """Trials (or :class:`RecordError`) from bytes already in memory (an upload, an HTTP body)."""
    yield from read_stream(io.BytesIO(data), name, source_url)


def read_stream(fp: IO[bytes], name: str, source_url: str | None = None) -> Iterator[ImportResult]:
    """Trials from a seekable binary stream; ``name`` is used in provenance and error messages.

    Each trial's ``provenance.imported_at`` is the (UTC) time this read started."""
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        for r in _dispatch(fp, name, Path(name).name, source_url, 0):
            if isinstance(r, Trial) and r.provenance is not None and r.provenance.imported_at is None:
                r.provenance.imported_at = stamp
            yield r
    except Exception as exc:  # last line of defence: one bad source never stops a batch
        yield RecordError(name, None, f"could not read: {type(exc).__name__}: {exc}")


def _read_file(p: Path, source_url: str | None) -> Iterator[ImportResult]:
    try:
        fp = p.open("rb")
    except OSError as exc:
        yield RecordError(str(p), None, f"cannot open: {exc.strerror or exc}")
        return
    with fp:
        yield from read_stream(fp, str(p), source_url)


def _dispatch(
    fp: IO[bytes], source: str, name: str, source_url: str | None, depth: int
) -> Iterator[ImportResult]:
    head = fp.read(_HEAD)
    fp.seek(0)
    if not head.strip():
        yield RecordError(source, None, "empty file")
        return
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        yield from _read_zip(fp, source, source_url, depth)
        return
    if head.startswith(b"\x1f\x8b"):
        if depth >= _MAX_DEPTH:
            yield RecordError(source, None, "archives nested too deep")
            return
        inner = name[:-3] if name.lower().endswith(".gz") else name
        with gzip.GzipFile(fileobj=fp) as gz:
            guarded = io.BufferedReader(_RatioGuard(gz, fp))  # type: ignore[arg-type]
            yield from _dispatch(guarded, source, inner, source_url, depth + 1)
        return
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 (Windows "Unicode" text files)
        data = fp.read(MAX_RECORD_BYTES + 1)
        if len(data) > MAX_RECORD_BYTES:
            yield RecordError(source, None, "UTF-16 file larger than the size cap; refused")
            return
        utf8 = data.decode("utf-16", errors="replace").encode("utf-8")
        yield from _dispatch(io.BytesIO(utf8), source, name, source_url, depth + 1)
        return
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"\x00" in head:
        yield RecordError(source, None, "binary data, not a trial record")
        return
    first = body[:1]
    if first in (b"{", b"["):
        yield from _read_json(fp, source, name, source_url)
    elif first == b"<":
        if _HTML.search(head[:4096]):
            yield from read_html_page(fp, source, source_url)
            return
        yield from _read_xml(fp, head, source, name, source_url)
    elif is_hint_header(body):
        yield from iter_hint_csv(fp, source, source_url)
    else:
        yield from read_text_page(fp, source, source_url)


# -- JSON ----------------------------------------------------------------------------------------
def _convert(obj: Any, raw: str, source: str, index: int | None, source_url: str | None) -> ImportResult:
    if is_v1_study(obj):
        study = v1_to_v2(obj)
    elif is_v2_study(obj):
        study = obj
    elif is_trialgpt(obj):
        return trialgpt_to_trial(obj, source=source, index=index, source_url=source_url)
    else:
        if isinstance(obj, dict):
            keys = ", ".join(list(obj)[:5]) or "no keys"
            what = f"JSON object with {keys}"
        else:
            what = f"JSON {type(obj).__name__}"
        return RecordError(source, index, f"not a study record ({what}): no protocolSection")
    digest = hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()
    try:
        return study_to_trial(
            study, source=source, record_index=index, source_url=source_url, content_hash=digest
        )
    except Exception as exc:  # malformed values deep inside a record
        return RecordError(source, index, f"could not map record: {type(exc).__name__}: {exc}")


def _check_name(result: ImportResult, name: str, source: str) -> ImportResult:
    ids = nct_ids(name)
    if isinstance(result, Trial) and len(ids) == 1 and result.registry_id and result.registry_id != ids[0]:
        return RecordError(
            source,
            result.registry_id,
            f"id mismatch: the file name says {ids[0]} but the record is {result.registry_id}; not imported",
        )
    return result


def _read_json(fp: IO[bytes], source: str, name: str, source_url: str | None) -> Iterator[ImportResult]:
    text = io.TextIOWrapper(fp, encoding="utf-8-sig", errors="replace")
    s = JsonStream(text)
    counter = [0]
    try:
        c = s.peek()
        if c == "[":
            yield from _stream_items(s, source, source_url, counter)
        elif c == "{":
            s.mark()
            s.pos += 1
            k = s.key()
            if k in _WRAPPER_KEYS:
                s.release()
                yield from _walk_wrapper(s, k, source, source_url, counter)
            else:
                s.reset()
                obj, raw = s.value()
                nxt = s.peek()
                if nxt == "":  # one study
                    r = _convert(obj, raw, source, None, source_url)
                    if isinstance(r, Trial) and r.provenance is not None:
                        r.provenance.record_index = None
                    yield _check_name(r, name, source)
                    counter[0] += 1
                elif nxt == "{":  # JSON Lines: one study per line
                    yield _convert(obj, raw, source, 0, source_url)
                    counter[0] += 1
                    yield from _json_lines(s, source, source_url, counter)
                else:
                    yield RecordError(source, None, "extra data after the JSON value")
                    return
        if counter[0] == 0:
            yield RecordError(source, None, "no study records in this JSON")
    except RecordTooLarge as exc:
        yield RecordError(source, counter[0], f"{exc}; the rest of this file was not read")
    except JsonStreamError as exc:
        kind = "truncated JSON (download cut short?)" if exc.truncated else "malformed JSON"
        rest = "; the rest of this file was not read" if counter[0] else ""
        yield RecordError(source, counter[0], f"{kind}: {exc}{rest}")
    finally:
        text.detach()


def _json_lines(
    s: JsonStream, source: str, source_url: str | None, counter: list[int]
) -> Iterator[ImportResult]:
    while s.peek() != "":
        try:
            obj, raw = s.value()
        except RecordTooLarge:
            s.skip_value()
            yield RecordError(source, counter[0], f"record larger than {s.max_value:,} characters; skipped")
        else:
            yield _convert(obj, raw, source, counter[0], source_url)
        counter[0] += 1


def _stream_items(
    s: JsonStream, source: str, source_url: str | None, counter: list[int]
) -> Iterator[ImportResult]:
    for obj, raw in s.items():
        if obj is TOO_LARGE:
            yield RecordError(source, counter[0], f"record larger than {s.max_value:,} characters; skipped")
        else:
            yield _convert(obj, raw, source, counter[0], source_url)
        counter[0] += 1


def _walk_wrapper(
    s: JsonStream, key: str | None, source: str, source_url: str | None, counter: list[int]
) -> Iterator[ImportResult]:
    """Walk an object whose ``key`` was just read; stream the study lists it holds."""
    while key is not None:
        c = s.peek()
        if key in ("studies", "FullStudies") and c == "[":
            yield from _stream_items(s, source, source_url, counter)
        elif key == "FullStudiesResponse" and c == "{":
            s.pos += 1
            yield from _walk_wrapper(s, s.key(), source, source_url, counter)
        elif key in ("StudyFieldsResponse", "StudyFields"):
            yield RecordError(
                source, None, "a StudyFields response holds selected fields, not full study records"
            )
            counter[0] += 1
            return
        else:
            s.value()  # skip counts, tokens, version strings
        key = s.key()


#: Compressed input may expand this many times (plus a fixed allowance) before it counts as a bomb.
_MAX_RATIO = 200
_RATIO_ALLOWANCE = 64 * 1024 * 1024


def _bomb_limit(compressed: int) -> int:
    return _MAX_RATIO * compressed + _RATIO_ALLOWANCE


class _RatioGuard(io.RawIOBase):
    """Reads a decompressing stream and stops when it expands far more than real data does."""

    def __init__(self, inner: IO[bytes], compressed: IO[bytes]) -> None:
        self.inner, self.compressed, self.out = inner, compressed, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, pos: int, whence: int = 0) -> int:
        self.out = 0 if (pos == 0 and whence == 0) else self.out
        return self.inner.seek(pos, whence)

    def readinto(self, b: Any) -> int:
        data = self.inner.read(len(b))
        n = len(data)
        b[:n] = data
        self.out += n
        if self.out > _bomb_limit(self.compressed.tell()):
            raise RecordTooLarge(f"compressed data expands more than {_MAX_RATIO}x (a zip bomb?); refused")
        return n


class _CappedReader:
    """Counts the bytes the XML parser reads; more than ``cap`` for one record raises."""

    def __init__(self, fp: IO[bytes], cap: int) -> None:
        self.fp, self.cap, self.count, self.mark = fp, cap, 0, 0

    def read(self, n: int = -1) -> bytes:
        data = self.fp.read(n if n and n > 0 else 65536)
        self.count += len(data)
        if self.count - self.mark > self.cap:
            raise RecordTooLarge(f"record larger than {self.cap:,} bytes")
        return data


# -- XML -----------------------------------------------------------------------------------------
def _read_xml(
    fp: IO[bytes], head: bytes, source: str, name: str, source_url: str | None
) -> Iterator[ImportResult]:
    if b"<!ENTITY" in head.upper():
        yield RecordError(source, None, "XML declares entities; refused for safety (no entity expansion)")
        return
    first: ImportResult | None = None
    n = 0
    capped = _CappedReader(fp, MAX_RECORD_BYTES)
    try:
        for study in iter_xml_studies(capped):  # type: ignore[arg-type]
            capped.mark = capped.count
            digest = hashlib.sha256(json.dumps(study, sort_keys=True).encode()).hexdigest()
            try:
                r: ImportResult = study_to_trial(
                    study,
                    source=source,
                    record_index=n,
                    source_url=source_url,
                    content_hash=digest,
                    source_format="ctgov-xml",
                )
            except Exception as exc:
                r = RecordError(source, n, f"could not map record: {type(exc).__name__}: {exc}")
            if n == 0:
                first = r
            else:
                if n == 1 and first is not None:
                    yield first
                yield r
            n += 1
        if n == 1 and first is not None:
            if isinstance(first, Trial) and first.provenance is not None:
                first.provenance.record_index = None
            yield _check_name(first, name, source)
    except RecordTooLarge as exc:
        if n == 1 and first is not None:
            yield first
        yield RecordError(source, n, f"{exc}; the rest of this file was not read")
    except XmlRejected as exc:
        yield RecordError(source, None, f"{exc} (a search feed or another XML document, not a study)")
    except ET.ParseError as exc:
        if n == 1 and first is not None:
            yield first
        kind = "truncated XML (download cut short?)" if "no element found" in str(exc) else "malformed XML"
        yield RecordError(source, n if n else None, f"{kind}: {exc}")


# -- zip -----------------------------------------------------------------------------------------
def _read_zip(fp: IO[bytes], source: str, source_url: str | None, depth: int) -> Iterator[ImportResult]:
    if depth >= _MAX_DEPTH:
        yield RecordError(source, None, "archives nested too deep")
        return
    try:
        zf = zipfile.ZipFile(fp)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        yield RecordError(source, None, f"broken zip archive (truncated download?): {exc}")
        return
    with zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            base = info.filename.rsplit("/", 1)[-1]
            if info.is_dir() or info.filename.startswith("__MACOSX/") or not base or base.startswith("."):
                continue
            member = f"{source}!{info.filename}"
            if info.file_size > MAX_ZIP_MEMBER_BYTES or info.file_size > _bomb_limit(info.compress_size):
                yield RecordError(member, None, "zip member larger than the size cap or a zip bomb; refused")
                continue
            try:
                if info.file_size <= _SMALL_MEMBER:  # the bulk ZIP: many small files, read each at once
                    data = zf.read(info)
                    yield from _dispatch(io.BytesIO(data), member, base, source_url, depth + 1)
                    continue
                with zf.open(info) as m:
                    yield from _dispatch(m, member, base, source_url, depth + 1)  # type: ignore[arg-type]
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
                yield RecordError(member, None, f"unreadable zip member: {exc}")
