"""Importers: trial records from ClinicalTrials.gov JSON (API v2, classic API, bulk zip), legacy XML
and copied text pages. Format is detected from content; see :mod:`trialmatch.importers.reader`.

    from trialmatch.importers import read_path, RecordError
    for item in read_path("studies.zip"):
        if isinstance(item, RecordError): print(item)
        else: store(item)
"""

from __future__ import annotations

from trialmatch.importers.errors import MAX_RECORD_BYTES, MAX_TEXT_PAGE_BYTES, RecordError
from trialmatch.importers.reader import ImportResult, read_bytes, read_path, read_stream

__all__ = [
    "MAX_RECORD_BYTES",
    "MAX_TEXT_PAGE_BYTES",
    "ImportResult",
    "RecordError",
    "read_bytes",
    "read_path",
    "read_stream",
]
