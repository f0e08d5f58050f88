"""Trial records: the :class:`Trial` model, data-quality flags and ClinicalTrials.gov JSON export."""

from __future__ import annotations

from trialmatch.records.export import format_age, to_ctgov_json
from trialmatch.records.model import Trial
from trialmatch.records.quality import QualityFlag, quality_flags

__all__ = ["QualityFlag", "Trial", "format_age", "quality_flags", "to_ctgov_json"]
