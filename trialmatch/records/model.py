"""The trial record: everything a ClinicalTrials.gov API v2 study or a copied trial page can say.

Field values use ClinicalTrials.gov API v2 enum vocabulary where one exists (status
``RECRUITING``, phase ``PHASE2``, study type ``INTERVENTIONAL``, sex ``ALL`` ...). A field the
source does not state is ``None`` (or an empty list), never a guess.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "OPEN_STATUSES",
    "OVERALL_STATUSES",
    "Arm",
    "Contact",
    "Design",
    "Eligibility",
    "Intervention",
    "Investigator",
    "Location",
    "PartialDate",
    "Provenance",
    "SecondaryId",
    "Trial",
]

#: ClinicalTrials.gov API v2 overall status values.
OVERALL_STATUSES = (
    "ACTIVE_NOT_RECRUITING",
    "COMPLETED",
    "ENROLLING_BY_INVITATION",
    "NOT_YET_RECRUITING",
    "RECRUITING",
    "SUSPENDED",
    "TERMINATED",
    "WITHDRAWN",
    "AVAILABLE",
    "NO_LONGER_AVAILABLE",
    "TEMPORARILY_NOT_AVAILABLE",
    "APPROVED_FOR_MARKETING",
    "WITHHELD",
    "UNKNOWN",
)
#: Statuses under which a patient can still join.
OPEN_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE")

#: A date as the registry gives it: "2026", "2026-01" or "2026-01-15" (ISO, possibly partial).
PartialDate = str


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class SecondaryId(_Model):
    id: str
    type: str | None = None  # e.g. "EUDRACT_NUMBER", "REGISTRY", "OTHER"
    domain: str | None = None  # issuing body


class Contact(_Model):
    name: str | None = None
    role: str | None = None  # CONTACT, PRINCIPAL_INVESTIGATOR ...
    phone: str | None = None
    email: str | None = None


class Investigator(_Model):
    name: str
    role: str | None = None  # PRINCIPAL_INVESTIGATOR, STUDY_CHAIR, STUDY_DIRECTOR
    affiliation: str | None = None


class Location(_Model):
    facility: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    status: str | None = None  # per-site recruitment status (RECRUITING ...)
    lat: float | None = None
    lon: float | None = None
    contacts: list[Contact] = Field(default_factory=list)


class Intervention(_Model):
    type: str | None = None  # DRUG, DEVICE, BIOLOGICAL, PROCEDURE, RADIATION, BEHAVIORAL, ...
    name: str
    description: str | None = None
    other_names: list[str] = Field(default_factory=list)
    arm_labels: list[str] = Field(default_factory=list)


class Arm(_Model):
    label: str
    type: str | None = None  # EXPERIMENTAL, ACTIVE_COMPARATOR, PLACEBO_COMPARATOR, ...
    description: str | None = None
    intervention_names: list[str] = Field(default_factory=list)


class Design(_Model):
    allocation: str | None = None  # RANDOMIZED, NON_RANDOMIZED, NA
    intervention_model: str | None = None  # SINGLE_GROUP, PARALLEL, CROSSOVER, ...
    observational_model: str | None = None
    time_perspective: str | None = None
    primary_purpose: str | None = None  # TREATMENT, PREVENTION, ...
    masking: str | None = None  # NONE, SINGLE, DOUBLE, TRIPLE, QUADRUPLE
    who_masked: list[str] = Field(default_factory=list)


class Eligibility(_Model):
    criteria_text: str | None = None
    sex: Literal["ALL", "FEMALE", "MALE"] | None = None
    gender_based: bool | None = None
    minimum_age: str | None = None  # as written by the registry: "18 Years"
    maximum_age: str | None = None
    min_age_years: float | None = None
    max_age_years: float | None = None
    healthy_volunteers: bool | None = None
    std_ages: list[str] = Field(default_factory=list)  # CHILD, ADULT, OLDER_ADULT


class Provenance(_Model):
    source_format: str  # "ctgov-json", "ctgov-xml", "text-page"
    source: str | None = None  # file path or URL
    record_index: int | None = None  # position in a list/bulk file
    source_url: str | None = None
    imported_at: dt.datetime | None = None
    content_hash: str | None = None


class Trial(_Model):
    """One clinical study. ``id`` is the registry id when there is one, else a stable local id."""

    id: str
    registry_id: str | None = None  # NCT..., EudraCT, ACTRN..., ChiCTR...
    org_study_id: str | None = None
    secondary_ids: list[SecondaryId] = Field(default_factory=list)
    brief_title: str | None = None
    official_title: str | None = None
    acronym: str | None = None
    overall_status: str | None = None  # one of OVERALL_STATUSES
    why_stopped: str | None = None
    # dates (ISO, possibly partial) and whether they are estimates
    first_posted: PartialDate | None = None
    start_date: PartialDate | None = None
    start_date_type: str | None = None  # ACTUAL | ESTIMATED
    primary_completion_date: PartialDate | None = None
    completion_date: PartialDate | None = None
    completion_date_type: str | None = None
    last_update_posted: PartialDate | None = None
    status_verified_date: PartialDate | None = None
    current_as_of: PartialDate | None = None  # date the source page says its data is current as of
    phases: list[str] = Field(default_factory=list)  # PHASE1, PHASE2, EARLY_PHASE1, NA
    study_type: str | None = None  # INTERVENTIONAL, OBSERVATIONAL, EXPANDED_ACCESS
    enrollment: int | None = None
    enrollment_type: str | None = None  # ACTUAL | ESTIMATED
    design: Design | None = None
    arms: list[Arm] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)
    conditions: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    brief_summary: str | None = None
    detailed_description: str | None = None
    plain_summary: str | None = None  # a lay summary the source page carries itself
    eligibility: Eligibility = Field(default_factory=Eligibility)
    lead_sponsor: str | None = None
    lead_sponsor_class: str | None = None
    collaborators: list[str] = Field(default_factory=list)
    investigators: list[Investigator] = Field(default_factory=list)
    central_contacts: list[Contact] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)
    provenance: Provenance | None = None

    @property
    def title(self) -> str | None:
        return self.brief_title or self.official_title

    @property
    def countries(self) -> list[str]:
        return sorted({loc.country for loc in self.locations if loc.country})
