"""The documentation stays true: docs/cli.md is generated from the code, and every command,
option and patient example in README.md and docs/ exists or loads."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PATIENT_DOC = ROOT / "docs" / "patient-format.md"


def _gen() -> ModuleType:
    path = ROOT / "scripts" / "gen_cli_reference.py"
    spec = importlib.util.spec_from_file_location("gen_cli_reference", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return _gen()


@pytest.fixture(scope="module")
def commands(gen: ModuleType) -> dict[str, set[str]]:
    """Full command name ("", "import", "alerts save" ...) -> every option spelling it accepts."""
    out: dict[str, set[str]] = {}
    for full, cmd, ctx in gen.command_tree():
        opts: set[str] = set()
        for p in cmd.get_params(ctx):
            opts.update(getattr(p, "opts", []) or [])
            opts.update(getattr(p, "secondary_opts", []) or [])
        out[full] = opts
    return out


def test_cli_reference_is_up_to_date(gen: ModuleType) -> None:
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == gen.render(), (
        "docs/cli.md is out of date with the CLI: run `.venv/bin/python scripts/gen_cli_reference.py` "
        "and commit docs/cli.md"
    )


def test_cli_reference_lists_every_command(gen: ModuleType, commands: dict[str, set[str]]) -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for full in commands:
        assert f"## `{f'trialmatch {full}'.strip()}`" in text


def _code_lines(markdown: str) -> list[str]:
    """Lines inside fenced blocks and 4-space indented blocks."""
    lines: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced or line.startswith("    "):
            lines.append(line.strip())
    return lines


def _invocations(markdown: str) -> list[list[str]]:
    """Every `trialmatch ...` command line shown in code, as tokens (pipes cut off)."""
    out = []
    for line in _code_lines(markdown):
        line = line.removeprefix("$ ")
        if not line.startswith("trialmatch "):
            continue
        tokens = shlex.split(line, comments=True)
        if "|" in tokens:
            tokens = tokens[: tokens.index("|")]
        out.append(tokens)
    return out


def _resolve(tokens: list[str], commands: dict[str, set[str]]) -> tuple[str, list[str]]:
    """(full command name, remaining tokens) for tokens after ``trialmatch``."""
    name, rest = "", tokens[1:]
    while rest and not rest[0].startswith("-") and (f"{name} {rest[0]}".strip() in commands):
        name, rest = f"{name} {rest[0]}".strip(), rest[1:]
    return name, rest


@pytest.mark.parametrize("doc", [README, PATIENT_DOC], ids=lambda p: p.name)
def test_documented_commands_and_options_exist(doc: Path, commands: dict[str, set[str]]) -> None:
    invocations = _invocations(doc.read_text(encoding="utf-8"))
    if doc == README:
        assert len(invocations) >= 15, "the README tour should show the commands it describes"
    for tokens in invocations:
        name, rest = _resolve(tokens, commands)
        assert name, f"{doc.name}: `{' '.join(tokens)}` names no trialmatch command"
        for tok in rest:
            if tok.startswith("-") and tok != "-":
                opt = tok.split("=", 1)[0]
                assert opt in commands[name], f"{doc.name}: `trialmatch {name}` has no option {opt}"


def test_readme_command_table_is_complete(commands: dict[str, set[str]]) -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## CLI reference", 1)[1].split("\n## ", 1)[0]
    named = set()
    for cell in re.findall(r"^\| `trialmatch ([^`]*)`", section, re.M):
        words = cell.replace("\\|", "|").split()
        name, _ = _resolve(["trialmatch", *words], commands)
        assert name, f"README CLI table: `trialmatch {cell}` is not a command"
        named.add(name)
        if "|" in words[-1] and len(words) == 2:  # alerts save|run|list|unsubscribe
            head = words[0]
            for sub in words[1].split("|"):
                full = f"{head} {sub}"
                assert full in commands, f"README CLI table: `trialmatch {full}` is not a command"
                named.add(f"{head} {sub}")
    top = {c for c in commands if c and " " not in c}
    assert top <= named, f"README CLI table misses {sorted(top - named)}"
    for opt in re.findall(r"`(--[a-z][a-z-]*)", section):
        assert any(opt in opts for opts in commands.values()), f"README CLI table: no command has {opt}"


def test_readme_setup_is_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    shown = [line.strip() for line in section.splitlines() if line.startswith("    ")]
    assert shown == ["bash scripts/run.sh", "bash scripts/test.sh"]


def _json_examples(markdown: str) -> list[Any]:
    """JSON objects in ```json fences and in `cat > x.json <<'JSON'` heredocs."""
    blocks = re.findall(r"```json\n(.*?)```", markdown, re.S)
    blocks += re.findall(r"<<'JSON'\n(.*?)\n\s*JSON\n", markdown, re.S)
    return [json.loads(b) for b in blocks]


@pytest.mark.parametrize("doc", [README, PATIENT_DOC], ids=lambda p: p.name)
def test_patient_examples_load(doc: Path) -> None:
    from trialmatch.patients.load import patient_from_obj

    examples = _json_examples(doc.read_text(encoding="utf-8"))
    assert examples, f"{doc.name} should show a patient profile example"
    for obj in examples:
        patient = patient_from_obj(obj, doc.name)
        assert patient.id


def test_documented_paths_exist() -> None:
    text = README.read_text(encoding="utf-8") + PATIENT_DOC.read_text(encoding="utf-8")
    for rel in re.findall(r"\]\(((?:docs|trialmatch|scripts)/[^)#]*)\)", text):
        assert (ROOT / rel).exists(), f"link to missing {rel}"
    for rel in ("scripts/run.sh", "scripts/test.sh", "scripts/gen_cli_reference.py", "trialmatch/vocab/data"):
        assert (ROOT / rel).exists()
