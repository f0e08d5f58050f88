"""Record commands: import, sync, list, show, export, history."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from trialmatch.cli import search_opts
from trialmatch.cli.common import DbOption

if TYPE_CHECKING:
    from trialmatch.records.model import Trial
    from trialmatch.store import ImportSummary, Store

__all__ = ["read_any", "register"]

#: At most this many rejection lines are printed (the count is always printed).
MAX_REJECTION_LINES = 50

TrialIdArg = typer.Argument(..., help="Trial id, registry id or local id.")
TextOrJsonOption = typer.Option("text", "--format", help="text or json")


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def read_any(path: Path, source_url: str | None = None) -> Iterator[Any]:
    """Trials and RecordErrors from a path, through the importers (with a tiny JSON fallback)."""
    try:
        from trialmatch.importers import read_path  # type: ignore[attr-defined]
    except ImportError:
        from trialmatch.ctgov.convert import read_json_fallback

        yield from read_json_fallback(path, source_url=source_url)
        return
    yield from read_path(path, source_url=source_url)


def _resume_key(path: Path) -> str:
    try:
        st = path.stat()
        return f"import:{path.resolve()}:{st.st_size}:{int(st.st_mtime)}"
    except OSError:
        return f"import:{path}"


def _progress(enabled: bool):  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not enabled,
    )


def _print_summary(summary: ImportSummary, n_paths: int) -> None:
    rate = summary.total / summary.seconds if summary.seconds > 0 else 0.0
    typer.echo(
        f"Imported {n_paths} path(s): {summary.new} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {len(summary.rejected)} rejected"
        + (
            f", {summary.skipped} skipped (already imported before an interruption)"
            if summary.skipped
            else ""
        )
        + f" in {summary.seconds:.1f} s ({rate:.0f} records/s)"
    )
    if summary.failed_batches:
        typer.echo(f"{summary.failed_batches} batch(es) rolled back (see rejections)")
    for rej in summary.rejected[:MAX_REJECTION_LINES]:
        typer.echo(f"  rejected: {rej}")
    if len(summary.rejected) > MAX_REJECTION_LINES:
        typer.echo(f"  ... and {len(summary.rejected) - MAX_REJECTION_LINES} more rejected")


def _open(db: str | None) -> Store:
    from trialmatch.store import Store

    return Store.from_db_option(db)


def _open_trial(db: str | None, trial_id: str) -> tuple[Store, Trial]:
    """The store and the trial with this id in it (exit 1 when there is none)."""
    store = _open(db)
    trial = store.get_trial(trial_id)
    if trial is None:
        _err(f"No trial with id {trial_id!r} in the database ({store.url}). Try `trialmatch list`.")
        raise typer.Exit(1)
    return store, trial


def _comma_values(values: list[str] | None) -> list[str]:
    """The values of a repeatable option that also takes comma lists, stripped, empties dropped."""
    return [s.strip() for v in values or [] for s in v.split(",") if s.strip()]


def flags_for(trial: Trial, today: Any) -> list[Any]:
    """Data-quality flags as JSON-able values (from trialmatch.records.quality when present)."""
    try:
        from trialmatch.records.quality import quality_flags  # type: ignore[import-not-found]
    except ImportError:
        return []
    out: list[Any] = []
    for f in quality_flags(trial, today):
        if hasattr(f, "model_dump"):
            out.append(f.model_dump(mode="json"))
        elif hasattr(f, "to_dict"):
            out.append(f.to_dict())
        elif isinstance(f, (str, dict)):
            out.append(f)
        else:
            out.append(str(f))
    return out


def _flag_text(f: Any) -> str:
    if isinstance(f, dict):
        code = f.get("code") or f.get("flag") or f.get("kind") or ""
        msg = f.get("message") or f.get("detail") or f.get("text") or ""
        return f"{code}: {msg}" if code and msg else str(code or msg or f)
    return str(f)


def render_trial(trial: Trial, flags: list[Any], versions: list[Any]) -> None:
    """Print a readable record to the terminal with rich."""
    from rich.console import Console
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    con = Console()
    t = trial
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold cyan", no_wrap=True)
    head.add_column()

    def row(label: str, value: Any) -> None:
        if value not in (None, "", []):
            head.add_row(label, escape(value if isinstance(value, str) else ", ".join(map(str, value))))

    row("ID", t.id)
    row("Registry id", t.registry_id)
    row("Org study id", t.org_study_id)
    row("Secondary ids", [s.id for s in t.secondary_ids])
    row("Official title", t.official_title)
    row("Acronym", t.acronym)
    row("Status", t.overall_status)
    row("Why stopped", t.why_stopped)
    row("Phase", t.phases)
    row("Study type", t.study_type)
    row("Enrollment", f"{t.enrollment} ({t.enrollment_type or 'n/a'})" if t.enrollment is not None else None)
    row("Start", t.start_date)
    row("Primary completion", t.primary_completion_date)
    row("Completion", t.completion_date)
    row("First posted", t.first_posted)
    row("Last update", t.last_update_posted)
    row("Current as of", t.current_as_of)
    row("Conditions", t.conditions)
    row("Keywords", t.keywords)
    row("Sponsor", t.lead_sponsor)
    row("Collaborators", t.collaborators)
    row("Investigators", [f"{i.name} ({i.role or '?'})" for i in t.investigators])
    row("Interventions", [f"{i.type or '?'}: {i.name}" for i in t.interventions])
    e = t.eligibility
    row("Sex", e.sex)
    row(
        "Ages",
        f"{e.minimum_age or '-'} to {e.maximum_age or '-'}" if (e.minimum_age or e.maximum_age) else None,
    )
    row(
        "Healthy volunteers",
        None if e.healthy_volunteers is None else ("yes" if e.healthy_volunteers else "no"),
    )
    if t.provenance:
        row(
            "Source", f"{t.provenance.source_format}: {t.provenance.source_url or t.provenance.source or '?'}"
        )
    con.print(Panel(head, title=escape(t.title or t.id), expand=True))
    if flags:
        con.print("[bold yellow]Data-quality flags[/]")
        for f in flags:
            con.print(f"  [yellow]![/] {escape(_flag_text(f))}")
    if t.brief_summary:
        con.print(Panel(escape(t.brief_summary[:3000]), title="Summary"))
    if e.criteria_text:
        con.print(Panel(escape(e.criteria_text[:20000]), title="Eligibility criteria"))
    if t.locations:
        lt = Table(title=f"{len(t.locations)} location(s)")
        for col in ("facility", "city", "state", "country", "status"):
            lt.add_column(col, overflow="fold")
        for loc in t.locations[:30]:
            lt.add_row(
                *(escape(x or "") for x in (loc.facility, loc.city, loc.state, loc.country, loc.status))
            )
        con.print(lt)
        if len(t.locations) > 30:
            con.print(f"... and {len(t.locations) - 30} more locations")
    if len(versions) > 1:
        con.print(f"[bold]{len(versions)} versions[/] (see `trialmatch history {t.id}`)")


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_cmd(
        paths: list[Path] = typer.Argument(..., help="Files, folders or zips to import."),
        source_url: str = typer.Option(None, "--source-url", help="Address the page was copied from."),
        batch_size: int = typer.Option(500, "--batch-size", min=1, max=50_000),
        restart: bool = typer.Option(False, "--restart", help="Ignore progress of an interrupted import."),
        fmt: str = typer.Option("text", "--format", help="text or json (the summary)"),
        parse: bool = typer.Option(
            False, "--parse", help="Also parse and store the criteria of new/updated trials."
        ),
        db: str = DbOption,
    ) -> None:
        """Import trial records (CT.gov API v2 JSON, legacy XML, copied text pages)."""
        import time

        from trialmatch.store import ImportSummary, Rejection

        store = _open(db)
        total = ImportSummary()
        t0 = time.perf_counter()
        show = sys.stderr.isatty()
        with _progress(show) as bar:
            for path in paths:
                if not path.exists():
                    total.rejected.append(Rejection(str(path), None, "no such file or folder"))
                    continue
                key = _resume_key(path)
                if restart:
                    store.import_trials([], resume_key=key)  # marks the key done: start over
                task = bar.add_task(path.name[:40], total=None, rate="")
                start = time.perf_counter()
                done = [0]

                def advance(n: int, task: Any = task, start: float = start, done: list[int] = done) -> None:
                    done[0] += n
                    el = time.perf_counter() - start
                    bar.update(task, advance=n, rate=f"{done[0] / el:.0f}/s" if el > 0 else "")

                try:
                    summary = store.import_trials(
                        read_any(path, source_url=source_url),
                        batch_size=batch_size,
                        progress=advance,
                        resume_key=key,
                        source=str(path),
                    )
                except KeyboardInterrupt:
                    bar.stop()
                    _err(
                        f"Interrupted while importing {path}: what was committed is kept; "
                        "run the same command again to resume."
                    )
                    raise typer.Exit(130) from None
                total.merge(summary)
                bar.remove_task(task)
        total.seconds = time.perf_counter() - t0
        if parse and (total.new_ids or total.updated_ids):
            t1 = time.perf_counter()
            parsed = store.load_all_criteria(ids=list(dict.fromkeys(total.new_ids + total.updated_ids)))
            _err(f"Parsed criteria of {len(parsed)} trial(s) in {time.perf_counter() - t1:.1f} s")
        if fmt == "json":
            typer.echo(json.dumps(total.to_dict(), ensure_ascii=False))
        else:
            _print_summary(total, len(paths))
        if total.stored == 0 and total.skipped == 0:
            _err("Nothing could be imported.")
            raise typer.Exit(1)

    @app.command("sync")
    def sync_cmd(
        condition: str = typer.Option(None, "--condition", help="Condition to search (query.cond)."),
        term: str = typer.Option(None, "--term", help="Other search terms (query.term)."),
        location: str = typer.Option(None, "--location", help="Location (query.locn)."),
        status: list[str] = typer.Option(None, "--status", help="Overall status (repeat or comma list)."),
        full: bool = typer.Option(False, "--full", help="Fetch everything, not only what changed."),
        max_pages: int = typer.Option(None, "--max-pages", min=1),
        page_size: int = typer.Option(100, "--page-size", min=1, max=1000),
        rate: float = typer.Option(3.0, "--rate", help="Requests per second at most."),
        retries: int = typer.Option(5, "--retries", min=0, max=20, help="Retries on 429/5xx/timeouts."),
        base_url: str = typer.Option(
            "https://clinicaltrials.gov", "--base-url", envvar="TRIALMATCH_CTGOV_URL"
        ),
        db: str = DbOption,
    ) -> None:
        """Fetch trials from ClinicalTrials.gov (only what changed since the last sync)."""
        from trialmatch.ctgov import CtgovClient, CtgovError, sync

        if not (condition or term or location):
            _err("Give at least one of --condition, --term, --location.")
            raise typer.Exit(2)
        try:
            statuses = search_opts.statuses(status)
        except search_opts.QueryError as exc:
            _err(str(exc))
            raise typer.Exit(2) from None
        store = _open(db)
        with CtgovClient(base_url=base_url, rate_limit=rate, max_retries=retries) as client:
            try:
                result = sync(
                    store,
                    client,
                    condition=condition,
                    term=term,
                    location=location,
                    statuses=statuses or None,
                    full=full,
                    max_pages=max_pages,
                    page_size=page_size,
                )
            except CtgovError as exc:
                _err(f"sync failed: {exc}")
                raise typer.Exit(1) from exc
        sm = result.summary
        scope = "since " + result.since.isoformat() if result.since else "full"
        typer.echo(
            f"Synced {result.fetched} studies ({scope}): {sm.new} new, {sm.updated} updated, "
            f"{sm.unchanged} unchanged, {len(sm.rejected)} rejected"
        )
        for rej in result.summary.rejected[:MAX_REJECTION_LINES]:
            typer.echo(f"  rejected: {rej}")

    @app.command("list")
    def list_cmd(
        fmt: str = typer.Option("table", "--format", help="json or table"),
        status: list[str] = typer.Option(None, "--status", help="Only these statuses."),
        db: str = DbOption,
    ) -> None:
        """List stored trials."""
        store = _open(db)
        statuses = [s.upper() for s in _comma_values(status)] or None
        rows = store.list_trials(statuses=statuses)
        if fmt == "json":
            typer.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False))
            return
        if fmt != "table":
            _err("--format must be json or table")
            raise typer.Exit(2)
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{len(rows)} trial(s)")
        for col in ("id", "status", "phase", "title"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(r.id, r.status or "", ",".join(r.phases), (r.title or "")[:100])
        Console().print(table)

    @app.command("show")
    def show_cmd(
        trial_id: str = TrialIdArg,
        fmt: str = TextOrJsonOption,
        today: str = typer.Option(None, "--today", help="Date for data-quality flags (YYYY-MM-DD)."),
        db: str = DbOption,
    ) -> None:
        """Show one trial record, with its data-quality flags."""
        import datetime as dt

        store, trial = _open_trial(db, trial_id)
        day = dt.date.fromisoformat(today) if today else dt.date.today()
        flags = flags_for(trial, day)
        if fmt == "json":
            out = json.loads(trial.model_dump_json())
            out["quality_flags"] = flags
            out["versions"] = [v.to_dict() for v in store.versions(trial.id)]
            typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
            return
        render_trial(trial, flags, store.versions(trial.id))

    @app.command("export")
    def export_cmd(
        trial_id: str = TrialIdArg,
        fmt: str = typer.Option("ctgov-json", "--format", help="ctgov-json or json (TrialMatch record)"),
        db: str = DbOption,
    ) -> None:
        """Export one trial as ClinicalTrials.gov API v2 study JSON."""
        _, trial = _open_trial(db, trial_id)
        if fmt == "json":
            typer.echo(trial.model_dump_json(indent=2))
            return
        if fmt != "ctgov-json":
            _err("--format must be ctgov-json or json")
            raise typer.Exit(2)
        try:
            from trialmatch.records.export import to_ctgov_json  # type: ignore[import-not-found]
        except ImportError:
            _err("ClinicalTrials.gov export is not available in this build.")
            raise typer.Exit(1) from None
        typer.echo(json.dumps(to_ctgov_json(trial), ensure_ascii=False, indent=2))

    @app.command("history")
    def history_cmd(
        trial_id: str = TrialIdArg,
        fmt: str = TextOrJsonOption,
        db: str = DbOption,
    ) -> None:
        """Show a trial's stored versions and what changed between them."""
        from trialmatch.store import diff_trials

        store, trial = _open_trial(db, trial_id)
        versions = store.versions(trial.id)
        rows = []
        for i, v in enumerate(versions):
            d = v.to_dict()
            d["fields"] = diff_trials(versions[i - 1].trial, v.trial) if i else []
            rows.append(d)
        if fmt == "json":
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for d in rows:
            extra = f" fields: {', '.join(d['fields'])}" if d["fields"] else ""
            st = (
                d["status"]
                if d["previous_status"] in (None, d["status"])
                else f"{d['previous_status']} -> {d['status']}"
            )
            typer.echo(f"v{d['version']}  {d['recorded_at'][:19]}  {','.join(d['change'])}  {st}{extra}")

    @app.command("changes")
    def changes_cmd(
        since: str = typer.Option(..., "--since", help="Date or date-time (UTC), e.g. 2026-11-01."),
        kind: list[str] = typer.Option(None, "--kind", help="new, status, criteria, content (repeatable)."),
        fmt: str = TextOrJsonOption,
        db: str = DbOption,
    ) -> None:
        """What changed in the stored trials since a date: new trials, status and criteria changes."""
        import datetime as dt

        try:
            when = dt.datetime.fromisoformat(since)
        except ValueError:
            _err(f"--since must be an ISO date or date-time, not {since!r}")
            raise typer.Exit(2) from None
        store = _open(db)
        kinds = {k.lower() for k in _comma_values(kind)}
        changes = [c for c in store.changes_since(when) if not kinds or c.kind in kinds]
        if fmt == "json":
            typer.echo(json.dumps([c.to_dict() for c in changes], ensure_ascii=False))
            return
        for c in changes:
            extra = f" {c.old_status} -> {c.new_status}" if c.kind == "status" else ""
            typer.echo(f"{c.at.isoformat()[:19]}  {c.trial_id}  {c.kind}{extra}  (v{c.version})")
        typer.echo(f"{len(changes)} change(s) since {when.isoformat()}")
