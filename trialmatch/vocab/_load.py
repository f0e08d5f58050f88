"""Loading the versioned YAML data files of ``trialmatch/vocab/data`` (cached, validated)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DATA_DIR", "data_version", "load_data"]

# through the package, not ``__file__``: a module compiled by mypyc has its build's ``__file__``
DATA_DIR = Path(str(files("trialmatch.vocab"))) / "data"

#: libyaml's loader when PyYAML was built with it (~10x faster on concepts.yaml; same result).
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load_data(name: str) -> dict[str, Any]:
    """The parsed YAML file ``data/<name>.yaml``; raises ``ValueError`` without ``version:``."""
    path = DATA_DIR / f"{name}.yaml"
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=_LOADER)  # a safe loader (C or pure Python)
    if not isinstance(data, dict) or "version" not in data:
        raise ValueError(f"{path}: a vocabulary file needs a top-level 'version:'")
    return data


def data_version(name: str) -> str:
    """The ``version:`` of a data file, as a string."""
    return str(load_data(name)["version"])
