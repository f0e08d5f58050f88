"""TrialMatch: find clinical trials and match patients to their eligibility criteria."""

from trialmatch.native import install_guard as _install_guard

__version__ = "0.1.0"
__all__ = ["__version__"]

_install_guard()  # before any parser module loads: compiled only while it matches its sources
