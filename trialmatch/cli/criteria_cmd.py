"""``trialmatch criteria ID``: a trial's eligibility criteria as computable rules."""

from __future__ import annotations

import json
import sys

import typer

from trialmatch.cli.common import DbOption

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("criteria")
    def criteria(
        trial_id: str = typer.Argument(..., help="Trial id (NCT number or local id)."),
        fmt: str = typer.Option("table", "--format", "-f", help="json | table"),
        db: str | None = DbOption,
        fresh: bool = typer.Option(False, "--fresh", help="Parse again instead of using stored rules."),
        all_: bool = typer.Option(
            False,
            "--all",
            help="JSON: also list trial-level criteria (registry age/sex fields, title restrictions).",
        ),
    ) -> None:
        """Show a trial's criteria: kind, category, status and the rule read from each item."""
        from trialmatch.criteria import trial_criteria
        from trialmatch.store import Store

        store = Store.from_db_option(db)
        real = store.resolve_id(trial_id)
        trial = store.get_trial(real) if real else None
        if trial is None:
            typer.echo(f"trial {trial_id}: not found in the database", err=True)
            raise typer.Exit(1)
        crits = None
        if not fresh:
            try:
                crits = store.get_criteria(trial.id)
            except Exception:  # a stale or missing cache is not fatal: parse now
                crits = None
        if crits is None:
            crits = trial_criteria(trial)
        if fmt == "json":
            shown = crits if all_ else [c for c in crits if c.source == "text"]
            sys.stdout.write(json.dumps([c.to_dict() for c in shown], ensure_ascii=False, indent=1) + "\n")
            return
        if fmt != "table":
            raise typer.BadParameter("--format must be json or table")
        from rich.console import Console
        from rich.table import Table

        from trialmatch.criteria.rules import render_rule

        t = Table(title=f"{trial.id}: {trial.title or ''}", show_lines=True)
        for col in ("#", "kind", "category", "status", "criterion", "rule"):
            t.add_column(col, overflow="fold")
        for c in crits:
            rule = render_rule(c.rule) if c.rule is not None else "-"
            if c.applies_if is not None:
                rule += f"\n(applies if {render_rule(c.applies_if)})"
            src = "" if c.source == "text" else f" [{c.source}]"
            t.add_row(str(c.index), c.kind[:3] + src, c.category, c.status, c.text, rule)
        n_rev = sum(c.status == "needs_review" for c in crits)
        Console().print(t)
        typer.echo(f"{len(crits)} criteria, {len(crits) - n_rev} parsed, {n_rev} need review")
