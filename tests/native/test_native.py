"""The mypyc build of the parser: used only while it matches its sources, and it parses the same."""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trialmatch import native
from trialmatch.vocab._load import DATA_DIR

ROOT = Path(__file__).resolve().parents[2]
TRIALS = ROOT.parent / "shared" / "data" / "trials"
compiled_only = pytest.mark.skipif(
    not native.status().compiled, reason=f"parser not compiled here: {native.status().reason}"
)


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != native.ENV_PURE} | env
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full, capture_output=True, text=True, timeout=300
    )


def test_compiled_sources_leave_data_classes_and_package_inits_pure() -> None:
    names = set(native.compiled_sources())
    assert "trialmatch.criteria.parse" in names and "trialmatch.vocab.prefilter" in names
    assert "trialmatch.criteria.rules" not in names and "trialmatch.criteria.model" not in names
    assert not any(n.endswith("__init__") for n in names)
    assert all(p.suffix == ".py" and p.is_file() for p in native.compiled_sources().values())


def test_digest_follows_every_source_byte(tmp_path: Path) -> None:
    a = tmp_path / "a.py"
    a.write_text("x = 1\n")
    before = native.source_digest({"m.a": a})
    assert before == native.source_digest({"m.a": a})
    a.write_text("x = 2\n")
    assert native.source_digest({"m.a": a}) != before
    assert native.source_digest({"m.b": a}) != native.source_digest({"m.a": a})


def test_stale_or_missing_record_means_pure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_build = tmp_path / "x.cpython-311-x86_64-linux-gnu.so"
    monkeypatch.setattr(native, "_built_files", lambda: [fake_build])
    monkeypatch.delenv(native.ENV_PURE, raising=False)
    monkeypatch.setattr(native, "MANIFEST", tmp_path / "_native.json")
    st = native._decide()
    assert not st.compiled and "record is missing" in st.reason
    native.MANIFEST.write_text(json.dumps({"digest": "0" * 64}))
    st = native._decide()
    assert not st.compiled and "changed since the build" in st.reason
    native.MANIFEST.write_text(json.dumps({"digest": native.source_digest(), "mypyc": "9.9"}))
    assert native._decide() == native.NativeStatus(True, "compiled with mypyc 9.9")
    monkeypatch.setenv(native.ENV_PURE, "1")
    assert not native._decide().compiled
    monkeypatch.setattr(native, "_built_files", lambda: [])
    assert "not compiled" in native._decide().reason


def test_source_finder_loads_the_py_file() -> None:
    src = native.compiled_sources()["trialmatch.criteria.split"]
    spec = native._SourceFinder({"trialmatch.criteria.split": src}).find_spec(
        "trialmatch.criteria.split", None
    )
    assert spec is not None and spec.origin == str(src)
    assert isinstance(spec.loader, importlib.machinery.SourceFileLoader)
    assert native._SourceFinder({}).find_spec("trialmatch.criteria.split", None) is None


_WHERE = (
    "import trialmatch.native as n, trialmatch.criteria.parse as p, trialmatch.vocab.prefilter as f;"
    "print(n.status().compiled, p.__file__.endswith('.py'), f.__file__.endswith('.py'))"
)


def test_pure_switch_loads_every_module_from_source() -> None:
    out = _run(_WHERE, TRIALMATCH_PURE="1")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True", "True"]
    assert "trialmatch:" not in out.stderr  # the switch is not a stale build: no warning


@compiled_only
def test_compiled_build_is_what_loads_by_default() -> None:
    out = _run(_WHERE)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "False", "False"]


@compiled_only
def test_build_record_is_current() -> None:
    out = subprocess.run(
        [sys.executable, "scripts/build_native.py", "build"], cwd=ROOT, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0 and "up to date" in out.stdout, out.stdout + out.stderr


_DUMP = """
import json, sys
sys.path.insert(0, ".")
from benchmarks.criteria_bench import trial_texts
from trialmatch.criteria import parse_criteria
print(json.dumps({n: [c.to_dict() for c in parse_criteria(t)] for n, t in trial_texts(400)}))
"""


@compiled_only
@pytest.mark.skipif(not TRIALS.is_dir(), reason="../shared/data/trials not found")
def test_compiled_parse_equals_pure_parse() -> None:
    """400 corpus trials (about 8,000 criteria): every field of every criterion is the same."""
    pure, comp = _run(_DUMP, TRIALMATCH_PURE="1"), _run(_DUMP)
    assert pure.returncode == 0 and comp.returncode == 0, pure.stderr + comp.stderr
    a, b = json.loads(pure.stdout), json.loads(comp.stdout)
    assert len(a) == 400 and sum(map(len, a.values())) > 5000
    assert a == b


def test_no_vocabulary_term_has_a_sigma() -> None:
    """mypyc's ``str.lower`` lowers a word-final capital sigma to σ where CPython gives ς (the one
    difference between the two builds); no term the parser looks up may depend on it."""
    for f in DATA_DIR.rglob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        assert not {"Σ", "σ", "ς"} & set(text), f


def test_version_says_which_parser_runs() -> None:
    from typer.testing import CliRunner

    from trialmatch.cli.main import app

    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0
    assert res.output.startswith("trialmatch ") and native.status().reason in res.output
