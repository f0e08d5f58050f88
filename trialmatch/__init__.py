"""TrialMatch: find clinical trials and match patients to their eligibility criteria."""

__version__ = "0.1.0"
__all__ = ["__version__"]
