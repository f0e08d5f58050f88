"""The ``trialmatch`` command. Each command group lives in its own module and registers itself;
heavy imports happen inside the commands so that start-up stays fast."""

from __future__ import annotations

import importlib

import typer

from trialmatch import __version__

__all__ = ["app", "main"]

app = typer.Typer(
    name="trialmatch",
    help="Find clinical trials and match patients to their eligibility criteria.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Modules under trialmatch.cli that define ``register(app)``.
COMMAND_MODULES = (
    "records_cmd",  # import, sync, list, show, export
    "criteria_cmd",  # criteria
    "match_cmd",  # match, report
    "judge_cmd",  # judge
    "search_cmd",  # search, similar, alerts
    "serve_cmd",  # serve
    "scale_cmd",  # screen, bench
)


def _version(value: bool) -> None:
    if value:
        from trialmatch.native import status

        typer.echo(f"trialmatch {__version__} (criteria parser: {status().reason})")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="Show the version, and whether the criteria parser runs compiled.",
    ),
) -> None:
    """TrialMatch: clinical-trial finder and eligibility matcher."""


for _name in COMMAND_MODULES:
    try:
        _mod = importlib.import_module(f"trialmatch.cli.{_name}")
    except ModuleNotFoundError as exc:  # a command group not written yet
        if exc.name != f"trialmatch.cli.{_name}":
            raise
        continue
    _mod.register(app)


def main() -> None:
    app()
