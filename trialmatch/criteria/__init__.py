"""Eligibility criteria: splitting (``split``), the rule language (``rules``), the parser.

``parse_criteria(text) -> list[Criterion]`` splits criteria text (H2's ``split_criteria``) and turns
every item into a categorised rule; ``trial_criteria(trial)`` adds trial-level criteria from the
registry's structured age/sex fields and restrictions read from the title and conditions.
"""

from __future__ import annotations

from trialmatch.criteria.model import CATEGORIES, Criterion
from trialmatch.criteria.parse import parse_item
from trialmatch.criteria.trial import PARSER_VERSION, parse_criteria, trial_criteria

__all__ = ["CATEGORIES", "PARSER_VERSION", "Criterion", "parse_criteria", "parse_item", "trial_criteria"]
