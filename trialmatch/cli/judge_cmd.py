"""``trialmatch judge``: one criterion against one patient, or a stream of (patient, criterion) pairs."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import typer

from trialmatch.cli.common import parse_as_of

__all__ = ["judge_pairs", "register"]

MAX_LINE = 2_000_000


def judge_pairs(lines: Any, out: Any, as_of: dt.date | None = None) -> int:
    """Read JSON lines ``{"id", "patient", "criterion", "kind"}``; write ``{"id", "verdict", ...}`` lines.
    Patient contexts are built once per distinct patient. Returns the number of lines that failed."""
    from trialmatch.matching.judge import context_for, judge

    cache: dict[str, Any] = {}
    failed = 0
    for n, raw in enumerate(lines, 1):
        line = raw[:MAX_LINE].strip() if isinstance(raw, str) else raw
        if not line:
            continue
        pid: Any = None
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("each line must be a JSON object")
            pid = obj.get("id", n)
            patient = obj.get("patient")
            if patient is None:
                raise ValueError("missing 'patient'")
            key = patient if isinstance(patient, str) else json.dumps(patient, sort_keys=True, default=str)
            ctx = cache.get(key)
            if ctx is None:
                if len(cache) > 2000:
                    cache.clear()
                ctx = cache[key] = context_for(patient, as_of)
            kind = str(obj.get("kind") or "inclusion")
            r = judge(
                ctx, str(obj.get("criterion") or ""), "exclusion" if kind.startswith("ex") else "inclusion"
            )
            rec = {"id": pid, "verdict": r.verdict, "explanation": r.explanation, "evidence": r.evidence}
        except Exception as exc:  # one bad line must not stop the stream
            failed += 1
            rec = {
                "id": pid if pid is not None else n,
                "verdict": "unknown",
                "explanation": f"could not judge line {n}: {type(exc).__name__}: {exc}"[:300],
                "evidence": [],
                "error": True,
            }
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        out.flush()
    return failed


def register(app: typer.Typer) -> None:
    @app.command("judge")
    def judge_cmd(
        patient: Path | None = typer.Option(
            None, "--patient", help="A note (.txt) or a patient profile (.json)."
        ),
        criterion: str | None = typer.Option(None, "--criterion", help="The criterion text."),
        kind: str = typer.Option("inclusion", "--kind", help="inclusion | exclusion"),
        pairs: Path | None = typer.Option(
            None, "--pairs", help="JSON lines {id, patient, criterion, kind}; '-' = stdin."
        ),
        fmt: str = typer.Option("text", "--format", help="text | json (single) ; jsonl (pairs)"),
        as_of: str | None = typer.Option(None, "--as-of", help="Judging date YYYY-MM-DD (default today)."),
    ) -> None:
        """Judge criteria against a patient note or profile: met, not_met, unknown or not_applicable."""
        when = parse_as_of(as_of) or dt.date.today()  # the edge supplies the clock; the core is pure
        if pairs is not None:
            if str(pairs) == "-":
                failed = judge_pairs(sys.stdin, sys.stdout, when)
            else:
                if not pairs.is_file():
                    typer.echo(f"error: {pairs}: no such file", err=True)
                    raise typer.Exit(2)
                with open(pairs, encoding="utf-8-sig", errors="replace") as fh:
                    failed = judge_pairs(fh, sys.stdout, when)
            if failed:
                typer.echo(f"{failed} line(s) could not be judged", err=True)
            return
        if patient is None or criterion is None:
            typer.echo("error: give --patient FILE and --criterion TEXT, or --pairs FILE.jsonl", err=True)
            raise typer.Exit(2)
        if kind not in ("inclusion", "exclusion"):
            typer.echo("error: --kind must be inclusion or exclusion", err=True)
            raise typer.Exit(2)
        from trialmatch.matching.judge import judge
        from trialmatch.patients.load import PatientLoadError, load_patient

        try:
            if patient.suffix.lower() in (".txt", ".md", ".note"):
                if not patient.is_file():
                    raise PatientLoadError(f"{patient.name}: no such file")
                from trialmatch.patients.notes import read_note

                p = read_note(patient.read_text(encoding="utf-8", errors="replace"), when)
            else:
                p = load_patient(patient)
        except (PatientLoadError, OSError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        r = judge(p, criterion, kind, when)  # type: ignore[arg-type]
        if fmt == "json":
            typer.echo(
                json.dumps(
                    {"verdict": r.verdict, "explanation": r.explanation, "evidence": r.evidence},
                    ensure_ascii=False,
                )
            )
        else:
            typer.echo(f"{r.verdict}: {r.explanation}")
            for e in r.evidence:
                typer.echo(f"  - {e}")
