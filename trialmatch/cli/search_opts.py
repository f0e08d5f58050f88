"""Search options shared by ``search``, ``alerts save`` and ``sync``, and the one place that turns them
into a query: the options are declared once (same flags, same help) and their values are read once
(statuses repeatable or comma-separated, CT.gov names in any case; invalid values give a one-line
error)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from trialmatch.search.query import SearchQuery

__all__ = [
    "AgeOption",
    "ConditionOption",
    "CountryOption",
    "InterventionOption",
    "NearOption",
    "PhaseOption",
    "QueryError",
    "RadiusOption",
    "SexOption",
    "StatusOption",
    "build_query",
    "statuses",
]

NearOption: Any = typer.Option(None, "--near", help="Place name, postal code or 'lat,lon'.")
RadiusOption: Any = typer.Option(100.0, "--radius-km", help="Radius around --near (km).")
StatusOption: Any = typer.Option(
    [], "--status", help="CT.gov status (repeatable; default RECRUITING + NOT_YET_RECRUITING; 'any')."
)
PhaseOption: Any = typer.Option([], "--phase", help="Phase: 1, 2, 3, 4, early1, NA (repeatable).")
AgeOption: Any = typer.Option(None, "--age", help="Patient age in years.")
SexOption: Any = typer.Option(None, "--sex", help="MALE or FEMALE.")
ConditionOption: Any = typer.Option(None, "--condition", help="Condition named in conditions/title.")
InterventionOption: Any = typer.Option(None, "--intervention", help="Intervention (drug, device ...).")
CountryOption: Any = typer.Option(None, "--country", help="Country with a site (name or ISO code).")


class QueryError(ValueError):
    """Options that do not make a valid query; the message is one line for the user."""


def statuses(values: list[str] | None) -> list[str]:
    """``--status`` values (repeatable or comma lists; "recruiting", "not yet recruiting", "open",
    "any" ...) as CT.gov statuses without repeats; [] when none given. Raises :class:`QueryError`."""
    from trialmatch.search.query import normalise_status

    out: list[str] = []
    for value in values or []:
        for part in str(value).split(","):
            if not part.strip():
                continue
            try:
                out.extend(s for s in normalise_status(part) if s not in out)
            except ValueError as exc:
                raise QueryError(str(exc)) from None
    return out


def build_query(params: Mapping[str, Any], **overrides: Any) -> SearchQuery:
    """A :class:`~trialmatch.search.query.SearchQuery` from a command's parameters by name (its
    ``ctx.params``; ``query`` is the text), ``overrides`` taking precedence; parameters the query does
    not know (``db``, ``format`` ...) are left out, and an empty status list means the query's default
    statuses. Raises :class:`QueryError` with a one-line message."""
    from pydantic import ValidationError

    from trialmatch.search.query import SearchQuery

    given = {**params, **overrides}
    fields = {k: v for k, v in given.items() if k in SearchQuery.model_fields and k != "q"}
    if "status" in fields:
        fields["status"] = statuses(fields["status"]) or None
    try:
        return SearchQuery(q=given.get("query") or "", **fields)
    except ValidationError as exc:
        raise QueryError(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from None
    except ValueError as exc:
        raise QueryError(str(exc).splitlines()[0]) from None
