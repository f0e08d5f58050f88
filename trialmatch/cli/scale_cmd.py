"""``trialmatch screen`` (batch screening, in-process or on Dask) and ``trialmatch bench``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from trialmatch.cli.common import DbOption, resolve_trial_ids

if TYPE_CHECKING:
    from trialmatch.batch.screen import TrialSpec
    from trialmatch.patients.model import Patient

__all__ = ["load_patients_source", "load_specs", "register"]


def load_patients_source(source: Path) -> tuple[list[Patient], list[str]]:
    """Patients from a folder of patient files (profile JSON, FHIR bundle, .txt note) or a JSON
    Lines file with one profile / bundle object per line. Returns (patients, errors)."""
    from trialmatch.patients.load import PatientLoadError, load_patient

    patients: list[Patient] = []
    errors: list[str] = []
    if source.is_dir():
        for f in sorted(source.iterdir()):
            if f.suffix.lower() not in (".json", ".txt") or not f.is_file():
                continue
            try:
                patients.append(load_patient(f))
            except PatientLoadError as exc:
                errors.append(str(exc))
        return patients, errors
    if not source.is_file():
        raise typer.BadParameter(f"{source}: no such file or folder")
    with source.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{source.name} line {n}: not JSON ({exc.msg})")
                continue
            if not isinstance(obj, dict):
                errors.append(f"{source.name} line {n}: not a JSON object")
                continue
            try:
                patients.append(load_patient(obj))
            except PatientLoadError as exc:
                errors.append(f"{source.name} line {n}: {exc}")
    return patients, errors


def load_specs(db: str | None, trial_ids: list[str]) -> tuple[list[TrialSpec], list[str]]:
    """The selected trials (all trials open to enrolment when none are named) as picklable specs."""
    from trialmatch.batch.screen import TrialSpec
    from trialmatch.records.model import OPEN_STATUSES
    from trialmatch.store import Store

    store = Store.from_db_option(db)
    errors: list[str] = []
    summaries = store.list_trials()
    if trial_ids:
        wanted, errors = resolve_trial_ids(store, trial_ids)
        by_id = {s.id: s for s in summaries}
        chosen = [by_id[i] for i in wanted if i in by_id]
    else:
        chosen = [s for s in summaries if s.status is None or s.status in OPEN_STATUSES]
    crit = store.load_all_criteria(ids=[s.id for s in chosen], as_dicts=True)
    specs = [
        TrialSpec(s.id, s.registry_id, s.title, s.status, tuple(s.conditions), tuple(crit.get(s.id, [])))
        for s in chosen
    ]
    return specs, errors


def screen(
    patients: Path = typer.Option(..., "--patients", help="A folder of patient files or a JSON Lines file."),
    trial: list[str] = typer.Option([], "--trial", help="Trial id (repeatable); default: every open trial."),
    out: Path = typer.Option(..., "--out", help="Output file: .parquet, .csv or .jsonl."),
    as_of: str = typer.Option(None, "--as-of", help="Judge as of this date (default: each patient's as_of)."),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786."),
    workers: int = typer.Option(0, "--workers", help="Start a local Dask cluster with N worker processes."),
    chunk_size: int = typer.Option(8, "--chunk-size", help="Patients per task."),
    db: str = DbOption,
) -> None:
    """Screen every patient against every selected trial; write one row per patient x trial."""
    from rich.console import Console

    from trialmatch.batch.screen import screen_patients, write_rows

    err = Console(stderr=True)
    when = None
    if as_of:
        try:
            when = dt.date.fromisoformat(as_of)
        except ValueError:
            raise typer.BadParameter(f"--as-of {as_of!r}: use YYYY-MM-DD") from None
    plist, perrors = load_patients_source(patients)
    for e in perrors:
        err.print(f"[yellow]skipped[/yellow] {e}")
    specs, terrors = load_specs(db, trial)
    for e in terrors:
        err.print(f"[red]error[/red] {e}")
    if terrors or not specs:
        raise typer.Exit(1)
    if not plist:
        err.print("no patients could be read")
        raise typer.Exit(1)
    today = dt.date.today()
    for p in plist:  # the CLI edge may read the clock; the core never does
        if when is None and p.as_of is None:
            p.as_of = today
    mode = "in-process"
    if scheduler:
        mode = f"Dask at {scheduler}"
    elif workers:
        mode = f"{workers} local Dask workers"
    err.print(f"screening {len(plist)} patients x {len(specs)} trials ({mode})")
    rows: Any = screen_patients(
        plist, specs, as_of=when, scheduler=scheduler, workers=workers or None, chunk_size=chunk_size
    )
    try:
        n = write_rows(rows, out)
    except ValueError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None
    err.print(f"wrote {n} rows to {out}")


def bench(
    only: list[str] = typer.Option([], "--only", help="Benchmark names (import, criteria, match, ...)."),
) -> None:
    """Run the benchmarks and print their table (same as ``python -m benchmarks``)."""
    import importlib
    import sys

    root = Path(__file__).resolve().parents[2]
    if (root / "benchmarks").is_dir() and str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        mod = importlib.import_module("benchmarks.__main__")
    except ModuleNotFoundError:
        typer.echo("the benchmarks folder is not available (run from a source checkout)", err=True)
        raise typer.Exit(1) from None
    argv = ["--only", *only] if only else []
    raise typer.Exit(mod.main(argv))


def register(app: typer.Typer) -> None:
    app.command("screen")(screen)
    app.command("bench")(bench)
