"""Why one input record was not imported, and the size caps that protect the importers."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_RECORD_BYTES", "MAX_TEXT_PAGE_BYTES", "MAX_ZIP_MEMBER_BYTES", "RecordError"]

#: One JSON study / XML ``clinical_study`` larger than this is rejected (the largest real study with
#: full results in the shared data is 1.4 MB; registry records with results rarely pass 10 MB).
MAX_RECORD_BYTES = 32 * 1024 * 1024
#: A copied text page larger than this is rejected (real pages are a few hundred KB at most).
MAX_TEXT_PAGE_BYTES = 5 * 1024 * 1024
#: One member of a zip archive, uncompressed (protects against zip bombs). List responses inside a
#: zip are streamed, so this only bounds what one member may expand to.
MAX_ZIP_MEMBER_BYTES = 2 * 1024 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RecordError:
    """One input record that could not be imported.

    ``file``: the file (or ``archive.zip!member``); ``record``: its index in a list/bulk file or its
    id when known; ``reason``: a human-readable explanation.
    """

    file: str
    record: int | str | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.record is None else f"{self.file} [{self.record}]"
        return f"{where}: {self.reason}"
