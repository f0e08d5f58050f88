"""Search commands: ``search``, ``similar``, ``alerts save|run|list|unsubscribe``, ``summary``,
``glossary``. The search index is built lazily beside the database and refreshed when the store
changed (count / latest update)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import typer

from trialmatch.cli.common import DbOption
from trialmatch.cli.search_opts import (
    AgeOption,
    ConditionOption,
    CountryOption,
    InterventionOption,
    NearOption,
    PhaseOption,
    RadiusOption,
    SexOption,
    StatusOption,
    build_query,
)

__all__ = ["register"]


def _store(db: str | None) -> Any:
    from trialmatch.store import Store

    return Store.from_db_option(db)


def _fail(msg: str, code: int = 2) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(code)


def search_command(
    ctx: typer.Context,
    query: str = typer.Argument("", help="Words, a condition or a patient's note."),
    near: str | None = NearOption,
    radius_km: float = RadiusOption,
    status: list[str] = StatusOption,
    phase: list[str] = PhaseOption,
    age: float | None = AgeOption,
    sex: str | None = SexOption,
    condition: str | None = ConditionOption,
    intervention: str | None = InterventionOption,
    country: str | None = CountryOption,
    sponsor: str | None = typer.Option(None, "--sponsor", help="Lead sponsor or collaborator contains."),
    study_type: str | None = typer.Option(None, "--study-type", help="INTERVENTIONAL, OBSERVATIONAL ..."),
    healthy_volunteers: bool | None = typer.Option(
        None, "--healthy-volunteers/--no-healthy-volunteers", help="Accepts healthy volunteers."
    ),
    updated_since: str | None = typer.Option(
        None, "--updated-since", help="Last update on/after (ISO date)."
    ),
    limit: int = typer.Option(20, "--limit", min=1, max=1000),
    offset: int = typer.Option(0, "--offset", min=0),
    patient: Path | None = typer.Option(
        None, "--patient", help="Patient profile/FHIR JSON: its cancer, age, sex and place fill the search."
    ),
    fmt: str = typer.Option("table", "--format", help="table or json."),
    db: str | None = DbOption,
) -> None:
    """Search trials (BM25 full text, NEN-aware) with filters and distance to recruiting sites."""
    from trialmatch.search.engine import search

    try:
        if patient is not None:
            from trialmatch.patients.load import load_patient
            from trialmatch.search.patient_query import query_for_patient

            base = query_for_patient(load_patient(patient))
            query = query or base.q
            age = base.age if age is None else age
            sex = sex or base.sex
            if near is None and base.near:
                near, radius_km = base.near, base.radius_km if radius_km == 100.0 else radius_km
        q = build_query(ctx.params, query=query, age=age, sex=sex, near=near, radius_km=radius_km)
    except ValueError as exc:
        _fail(str(exc).splitlines()[0])
        return
    try:
        res = search(_store(db), q)
    except ValueError as exc:
        _fail(str(exc))
        return
    if fmt == "json":
        typer.echo(res.model_dump_json(indent=2))
        return
    import sys

    if not sys.stdout.isatty():  # piped: one tab-separated line per hit, full ids and titles
        typer.echo(f"# {res.total} trial(s)" + (f" near {res.place}" if res.place else ""))
        for h in res.hits:
            dist = f"{h.distance_km:.0f} km" if h.distance_km is not None else ""
            typer.echo(
                "\t".join(
                    [h.trial_id, h.status or "", ",".join(h.phases), dist, f"{h.score:.2f}", h.title or ""]
                )
            )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{res.total} trial(s)" + (f" near {res.place}" if res.place else ""))
    table.add_column("id", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("phase")
    table.add_column("title", ratio=1)
    table.add_column("near")
    table.add_column("score", justify="right")
    for h in res.hits:
        near_s = ""
        if h.nearest_site is not None:
            near_s = f"{h.nearest_site.city or ''} {h.distance_km:.0f} km".strip()
        table.add_row(
            h.trial_id, h.status or "", ",".join(h.phases), (h.title or "")[:70], near_s, f"{h.score:.1f}"
        )
    Console().print(table)
    if res.expanded:
        typer.echo("expanded: " + "; ".join(res.expanded))


def similar_command(
    trial_id: str = typer.Argument(..., help="Trial id (NCT...)."),
    k: int = typer.Option(5, "-k", "--k", min=1, max=50),
    fmt: str = typer.Option("table", "--format", help="table or json."),
    db: str | None = DbOption,
) -> None:
    """Trials like this one (condition, drug class, phase, criteria)."""
    from trialmatch.search.engine import as_index
    from trialmatch.search.similar import similar

    store = _store(db)
    trial = store.get_trial(trial_id)
    if trial is None:
        _fail(f"no trial {trial_id!r}", 1)
        return
    hits = similar(trial, as_index(store), k=k)
    if fmt == "json":
        typer.echo(json.dumps([h.model_dump() for h in hits], indent=2))
        return
    for h in hits:
        typer.echo(f"{h.trial_id}\t{h.score:.3f}\t{h.reason}\t{(h.title or '')[:70]}")


def summary_command(
    trial_id: str = typer.Argument(...),
    fmt: str = typer.Option("text", "--format", help="text or json."),
    db: str | None = DbOption,
) -> None:
    """A plain-language summary of a trial (reading grade shown)."""
    from trialmatch.search.plain import plain_summary

    trial = _store(db).get_trial(trial_id)
    if trial is None:
        _fail(f"no trial {trial_id!r}", 1)
        return
    s = plain_summary(trial)
    typer.echo(s.model_dump_json(indent=2) if fmt == "json" else f"{s.text}\n\n(reading grade {s.grade:.1f})")


alerts_app = typer.Typer(help="Saved searches and alerts.", no_args_is_help=True)


@alerts_app.command("save")
def alerts_save(
    ctx: typer.Context,
    query: str = typer.Argument("", help="Search words."),
    email: str = typer.Option(..., "--email", help="Subscriber e-mail."),
    name: str | None = typer.Option(None, "--name"),
    near: str | None = NearOption,
    radius_km: float = RadiusOption,
    status: list[str] = StatusOption,
    phase: list[str] = PhaseOption,
    age: float | None = AgeOption,
    sex: str | None = SexOption,
    condition: str | None = ConditionOption,
    intervention: str | None = InterventionOption,
    country: str | None = CountryOption,
    patient: Path | None = typer.Option(None, "--patient", help="Patient profile JSON (optional)."),
    db: str | None = DbOption,
) -> None:
    """Save a search for a subscriber; prints its id and unsubscribe token."""
    from trialmatch.search.alerts import save_search

    try:
        q = build_query(ctx.params)
        prof = json.loads(patient.read_text("utf-8")) if patient else None
        saved = save_search(_store(db), q, email=email, name=name, patient=prof)
    except (ValueError, OSError) as exc:
        _fail(str(exc).splitlines()[0])
        return
    typer.echo(
        json.dumps({"id": saved.id, "email": saved.email, "unsubscribe_token": saved.unsubscribe_token})
    )


@alerts_app.command("run")
def alerts_run(
    outbox: Path = typer.Option(Path("outbox"), "--outbox", help="Folder for .eml messages."),
    smtp_host: str | None = typer.Option(None, "--smtp-host", envvar="TRIALMATCH_SMTP_HOST"),
    smtp_port: int = typer.Option(25, "--smtp-port", envvar="TRIALMATCH_SMTP_PORT"),
    base_url: str = typer.Option("http://127.0.0.1:8000", "--base-url", help="Links in messages."),
    db: str | None = DbOption,
) -> None:
    """Tell each subscriber about new, newly recruiting or changed trials since their last run."""
    from trialmatch.search.alerts import SmtpConfig, run_alerts

    smtp = SmtpConfig(host=smtp_host, port=smtp_port) if smtp_host else None
    digests = run_alerts(_store(db), outbox, dt.datetime.now(dt.UTC), smtp=smtp, base_url=base_url)
    for d in digests:
        typer.echo(f"{d.saved_search_id}\t{d.email}\t{len(d.items)} trial(s)\t{d.path or 'smtp'}")
    typer.echo(f"{len(digests)} message(s)")


@alerts_app.command("list")
def alerts_list(db: str | None = DbOption) -> None:
    """List active saved searches."""
    from trialmatch.search.alerts import list_saved_searches

    for s in list_saved_searches(_store(db)):
        typer.echo(f"{s.id}\t{s.email}\t{s.query.q!r}\tlast run {s.last_run_at or '-'}")


@alerts_app.command("unsubscribe")
def alerts_unsubscribe(token: str = typer.Argument(...), db: str | None = DbOption) -> None:
    """Deactivate a saved search by its unsubscribe token."""
    from trialmatch.search.alerts import unsubscribe

    if not unsubscribe(_store(db), token):
        _fail("unknown token", 1)
    typer.echo("unsubscribed")


def register(app: typer.Typer) -> None:
    app.command("search")(search_command)
    app.command("similar")(similar_command)
    app.command("summary")(summary_command)
    app.add_typer(alerts_app, name="alerts")
