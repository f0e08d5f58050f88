"""``trialmatch match`` and ``trialmatch report``: patients against the stored trials."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from trialmatch.cli.common import DbOption, parse_as_of, resolve_trial_ids

if TYPE_CHECKING:
    from trialmatch.matching.match import PreparedTrial
    from trialmatch.matching.model import MatchReport
    from trialmatch.patients.model import Patient

__all__ = ["load_prepared", "register"]


def load_prepared(
    db: str | None, trial_ids: list[str], need_locations: bool = False
) -> tuple[list[PreparedTrial], list[str]]:
    """Prepared trials from the store: the ids asked for, or every trial open to enrolment."""
    from trialmatch.matching.match import PreparedTrial
    from trialmatch.records.model import OPEN_STATUSES
    from trialmatch.store import Store

    store = Store.from_db_option(db)
    errors: list[str] = []
    if trial_ids:
        real, errors = resolve_trial_ids(store, trial_ids)
        crit = store.load_all_criteria(ids=real)
        return [PreparedTrial.from_trial(t, crit.get(t.id, [])) for t in store.iter_trials(ids=real)], errors
    summaries = [s for s in store.list_trials() if s.status is None or s.status in OPEN_STATUSES]
    ids = [s.id for s in summaries]
    crit_d = store.load_all_criteria(ids=ids, as_dicts=True)
    if need_locations:
        return [PreparedTrial.from_trial(t, crit_d.get(t.id, [])) for t in store.iter_trials(ids=ids)], errors
    return [
        PreparedTrial.from_parts(s.id, s.registry_id, s.title, s.status, s.conditions, crit_d.get(s.id, []))
        for s in summaries
    ], errors


def _load_patients(paths: list[Path], as_of: dt.date | None = None) -> tuple[list[Patient], list[str]]:
    from trialmatch.patients.load import PatientLoadError, load_patient

    note_date = as_of or dt.date.today()  # relative times in notes count back from the judging date
    out, errors = [], []
    for p in paths:
        try:
            out.append(load_patient(p, as_of=note_date))
        except PatientLoadError as exc:
            errors.append(str(exc))
    return out, errors


def _run(
    patients: list[Patient],
    prepared: list[PreparedTrial],
    trial_ids: list[str],
    as_of: dt.date | None,
    detail_top: int,
    include_ineligible: bool,
) -> list[MatchReport]:
    from trialmatch.matching.match import match_patient

    geocode = _geocoder() if any(p.location is not None for p in patients) else None
    reports = []
    for p in patients:
        _locate(p, geocode)
        when = as_of or p.as_of or dt.date.today()
        reports.append(
            match_patient(
                p,
                prepared,
                when,
                detail_top=detail_top,
                trial_ids=[t.trial_id for t in prepared] if trial_ids else (),
                open_only=not trial_ids,
                include_ineligible=include_ineligible or bool(trial_ids),
                geocode=geocode,
            )
        )
    return reports


@contextmanager
def _bulk_load() -> Iterator[None]:
    """Loading thousands of parsed criteria makes millions of small objects, and cyclic-GC passes
    over them cost more than the matching itself: load with GC off, then freeze what was loaded
    (never scanned again) and turn GC back on, whatever happens."""
    import gc

    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _data_date(db: str | None, ids: list[str]) -> str | None:
    """The newest "data current as of" / last-update date among the reported trials."""
    if not ids:
        return None
    from trialmatch.store import Store

    dates = []
    for t in Store.from_db_option(db).iter_trials(ids=ids):
        d = t.current_as_of or t.last_update_posted or t.status_verified_date
        if d:
            dates.append(d)
    return max(dates) if dates else None


def _has_place(p: Patient) -> bool:
    loc = p.location
    return loc is not None and (loc.lat is not None or bool(loc.city) or bool(loc.postal_code))


def _geocoder() -> Any:
    """Offline place lookup (city / ZIP -> lat, lon), cached; None when unavailable."""
    try:
        from trialmatch.search.geo import resolve_place
    except ImportError:
        return None
    cache: dict[str, tuple[float, float] | None] = {}

    def geocode(text: str) -> tuple[float, float] | None:
        if text not in cache:
            try:
                place = resolve_place(text)
            except Exception:
                place = None
            cache[text] = (place.lat, place.lon) if place is not None else None
        return cache[text]

    return geocode


def _locate(p: Patient, geocode: Any) -> None:
    """Fill the patient's coordinates from postal code or city when only those are given."""
    loc = p.location
    if loc is None or geocode is None or (loc.lat is not None and loc.lon is not None):
        return
    for query in (loc.postal_code, ", ".join(x for x in (loc.city, loc.state, loc.country) if x)):
        where = geocode(query) if query else None
        if where is not None:
            loc.lat, loc.lon = where
            p.warnings = [*(p.warnings or []), f"location {query!r} placed at {where[0]:.2f}, {where[1]:.2f}"]
            return


def _table(report: MatchReport, limit: int) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(width=None if sys.stdout.isatty() else 150)
    con.print(f"[bold]Patient {report.patient_id}[/bold] — judged as of {report.as_of}")
    t = Table(show_lines=True)
    t.add_column("#", justify="right")
    t.add_column("Trial", ratio=2)
    t.add_column("Verdict", no_wrap=True)
    t.add_column("Score", justify="right")
    t.add_column("Why / what is missing", ratio=4)
    colours = {"eligible": "green", "possibly_eligible": "yellow", "ineligible": "red"}
    for i, r in enumerate(report.results[:limit], 1):
        failed = [
            c for c in r.criteria if (c.kind, c.verdict) in (("inclusion", "not_met"), ("exclusion", "met"))
        ]
        unknown = [c for c in r.criteria if c.verdict == "unknown"]
        lines = [f"✗ {c.text[:90]} — {c.explanation[:120]}" for c in failed[:3]]
        lines += [f"? {c.text[:90]}" for c in unknown[:3]]
        if len(unknown) > 3:
            lines.append(f"… and {len(unknown) - 3} more unknown")
        title = f"{r.registry_id or r.trial_id}\n{(r.title or '')[:80]}"
        if r.distance_km is not None:
            title += f"\n{r.distance_km:.0f} km: {r.nearest_site}"
        t.add_row(str(i), title, f"[{colours[r.verdict]}]{r.verdict}[/]", f"{r.score:.2f}", "\n".join(lines))
    con.print(t)
    if report.next_questions:
        con.print("[bold]What to find out next[/bold]")
        for q in report.next_questions[:10]:
            con.print(f"  • {q.question}")
    for w in report.warnings:
        con.print(f"[dim]note: {w}[/dim]")


def register(app: typer.Typer) -> None:
    @app.command("match")
    def match(
        patients: list[Path] = typer.Argument(
            ..., help="Patient files: profile JSON, FHIR bundle or .txt note."
        ),
        trial: list[str] = typer.Option([], "--trial", "-t", help="Only these trials (id or registry id)."),
        as_of: str | None = typer.Option(
            None, "--as-of", help="Judge eligibility on this date (YYYY-MM-DD)."
        ),
        fmt: str = typer.Option("json", "--format", "-f", help="json | table"),
        detail_top: int = typer.Option(50, "--detail-top", help="Explain this many best trials in full."),
        all_trials: bool = typer.Option(False, "--all", help="Also list ineligible trials."),
        limit: int = typer.Option(25, "--limit", help="Rows in the table view."),
        db: str | None = DbOption,
    ) -> None:
        """Match patients against trials, criterion by criterion."""
        if fmt not in ("json", "table"):
            raise typer.BadParameter("--format must be json or table")
        when = parse_as_of(as_of)
        pats, errors = _load_patients(patients, when)
        for e in errors:
            print(f"error: {e}", file=sys.stderr)
        if not pats:
            raise typer.Exit(2)
        need_loc = any(_has_place(p) for p in pats)
        with _bulk_load():
            prepared, terrs = load_prepared(db, trial, need_locations=need_loc)
        for e in terrs:
            print(f"error: {e}", file=sys.stderr)
        reports = _run(pats, prepared, trial, when, detail_top, all_trials)
        if fmt == "table":
            for r in reports:
                _table(r, limit)
        elif len(reports) == 1 and len(patients) == 1:
            sys.stdout.write(reports[0].model_dump_json(indent=2) + "\n")
        else:
            for r in reports:
                sys.stdout.write(r.model_dump_json() + "\n")
        if errors or terrs:
            raise typer.Exit(1)

    @app.command("report")
    def report(
        patient: Path = typer.Argument(..., help="Patient file: profile JSON, FHIR bundle or .txt note."),
        trial: list[str] = typer.Option([], "--trial", "-t", help="Only these trials (id or registry id)."),
        out: Path = typer.Option(Path("report.html"), "--out", "-o", help="Where to write the HTML report."),
        as_of: str | None = typer.Option(
            None, "--as-of", help="Judge eligibility on this date (YYYY-MM-DD)."
        ),
        top: int = typer.Option(20, "--top", help="How many trials to show."),
        db: str | None = DbOption,
    ) -> None:
        """A printable match report (HTML with print styles) for one patient."""
        from trialmatch.matching.report import render_report

        when = parse_as_of(as_of)
        pats, errors = _load_patients([patient], when)
        if errors:
            for e in errors:
                print(f"error: {e}", file=sys.stderr)
            raise typer.Exit(2)
        need_loc = _has_place(pats[0])
        with _bulk_load():
            prepared, terrs = load_prepared(db, trial, need_locations=need_loc)
        for e in terrs:
            print(f"error: {e}", file=sys.stderr)
        rep = _run(pats, prepared, trial, when, max(top, 1), False)[0]
        rep.results = rep.results[:top]
        data_date = _data_date(db, [r.trial_id for r in rep.results])
        out.write_text(render_report(rep, pats[0], data_date=data_date), encoding="utf-8")
        print(json.dumps({"out": str(out), "trials": len(rep.results)}))
