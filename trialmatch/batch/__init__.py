"""Batch screening: many patients against many trials, in-process or on a Dask cluster."""

from trialmatch.batch.screen import TrialSpec, screen_patients, write_rows

__all__ = ["TrialSpec", "screen_patients", "write_rows"]
