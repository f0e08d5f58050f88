"""Screen every patient against every selected trial.

The same pure function (:func:`screen_chunk`) runs in-process or on Dask workers, so a laptop and
a cluster give the same rows in the same order. Trials travel as plain, picklable
:class:`TrialSpec` tuples (criteria in their dict form); each worker compiles them once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from trialmatch.patients.model import Patient

__all__ = ["ROW_FIELDS", "TrialSpec", "screen_chunk", "screen_chunk_packed", "screen_patients", "write_rows"]

#: Columns of a screening row: the fields of ``trialmatch match`` flattened per patient x trial.
ROW_FIELDS = (
    "patient_id",
    "as_of",
    "trial_id",
    "registry_id",
    "title",
    "verdict",
    "score",
    "criteria",
)


class TrialSpec(NamedTuple):
    trial_id: str
    registry_id: str | None
    title: str | None
    status: str | None
    conditions: tuple[str, ...]
    criteria: tuple[dict[str, Any], ...]


def _prepared(specs: Sequence[TrialSpec]) -> list[Any]:
    from trialmatch.matching.match import PreparedTrial

    return [
        PreparedTrial.from_parts(s.trial_id, s.registry_id, s.title, s.status, s.conditions, list(s.criteria))
        for s in specs
    ]


#: (the trial specs, their prepared trials): kept per process so a worker compiles a broadcast
#: trial list once. The specs object itself is held, so an identity test cannot match a
#: different list that happens to reuse a freed object's id.
_CACHE: list[tuple[Sequence[TrialSpec], list[Any]]] = []


def screen_chunk(
    patients: Sequence[dict[str, Any]],
    specs: Sequence[TrialSpec],
    as_of: dt.date | None,
    detail_top: int,
) -> list[dict[str, Any]]:
    """Rows for a chunk of patients (profile dicts) against every trial in ``specs``."""
    from trialmatch.matching.match import match_patient

    if _CACHE and _CACHE[0][0] is specs:
        prepared = _CACHE[0][1]
    else:  # compile once per worker for the broadcast trial list
        prepared = _prepared(specs)
        _CACHE[:] = [(specs, prepared)]
    ids = [s.trial_id for s in specs]
    rows: list[dict[str, Any]] = []
    for pdict in patients:
        patient = Patient.model_validate(pdict)
        when = as_of or patient.as_of
        if when is None:
            raise ValueError(f"patient {patient.id}: no as_of date (give --as-of)")
        report = match_patient(
            patient, prepared, when, detail_top=detail_top, trial_ids=ids, include_ineligible=True
        )
        for r in report.results:
            rows.append(
                {
                    "patient_id": report.patient_id,
                    "as_of": report.as_of.isoformat(),
                    "trial_id": r.trial_id,
                    "registry_id": r.registry_id,
                    "title": r.title,
                    "verdict": r.verdict,
                    "score": round(r.score, 6),
                    "criteria": [c.model_dump(mode="json") for c in r.criteria],
                }
            )
    return rows


def screen_chunk_packed(
    patients: Sequence[dict[str, Any]],
    specs: Sequence[TrialSpec],
    as_of: dt.date | None,
    detail_top: int,
) -> bytes:
    """:func:`screen_chunk` with its rows packed as one JSON document: far cheaper to send back
    from a Dask worker than many small nested objects."""
    import orjson

    return orjson.dumps(screen_chunk(patients, specs, as_of, detail_top))


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def screen_patients(
    patients: Sequence[Patient],
    specs: Sequence[TrialSpec],
    as_of: dt.date | None = None,
    detail_top: int = 1_000_000,
    scheduler: str | None = None,
    workers: int | None = None,
    chunk_size: int = 8,
) -> Iterator[dict[str, Any]]:
    """Rows for every patient x trial; on Dask when ``scheduler`` or ``workers`` is given."""
    pdicts = [p.model_dump(mode="json", exclude_none=True) for p in patients]
    chunks = _chunks(pdicts, max(1, chunk_size))
    if scheduler is None and not workers:
        for chunk in chunks:
            yield from screen_chunk(chunk, specs, as_of, detail_top)
        return
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=int(workers or 1), threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        [specs_future] = client.scatter([tuple(specs)], broadcast=True)
        import orjson

        futures = client.map(
            screen_chunk_packed, chunks, specs=specs_future, as_of=as_of, detail_top=detail_top, pure=False
        )
        for fut in futures:  # in submission order: same order as in-process
            yield from orjson.loads(fut.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["criteria"] = json.dumps(row["criteria"], ensure_ascii=False)
    return out


def write_rows(rows: Iterable[dict[str, Any]], out: Path) -> int:
    """Write rows as Parquet, CSV or JSON Lines (by the file's extension), atomically.

    The file appears only when complete: rows go to a temporary file beside it first.
    """
    suffix = out.suffix.lower()
    if suffix not in (".parquet", ".csv", ".jsonl", ".json"):
        raise ValueError(f"{out}: unknown output format (use .parquet, .csv or .jsonl)")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=out.name + ".", suffix=".part", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    n = 0
    try:
        if suffix in (".jsonl", ".json"):
            with tmp.open("w", encoding="utf-8") as fh:
                for row in rows:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                    n += 1
        elif suffix == ".csv":
            import csv

            with tmp.open("w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=list(ROW_FIELDS))
                w.writeheader()
                for row in rows:
                    w.writerow(_flat(row))
                    n += 1
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            flat = [_flat(r) for r in rows]
            n = len(flat)
            table = pa.Table.from_pylist(flat, schema=_schema(pa))
            pq.write_table(table, tmp)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n


def _schema(pa: Any) -> Any:
    s = pa.string()
    return pa.schema(
        [
            ("patient_id", s),
            ("as_of", s),
            ("trial_id", s),
            ("registry_id", s),
            ("title", s),
            ("verdict", s),
            ("score", pa.float64()),
            ("criteria", s),
        ]
    )
