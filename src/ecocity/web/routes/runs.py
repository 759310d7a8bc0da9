"""Runs: the store's history (inputs' hash, versions, wall time, status) and the jobs."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from ecocity.errors import InputError
from ecocity.report.labels import Labels
from ecocity.store import RunRecord, Store
from ecocity.web.db import User
from ecocity.web.deps import get_settings, lang_of, render, require_user
from ecocity.web.routes.jobs import list_jobs
from ecocity.web.schemas import IndicatorOut, RunDetail, RunOut

router = APIRouter()
RUNS_SHOWN = 500


def _store(request: Request) -> Store:
    """The dashboard's run store, opened once per app (its engine is shared by the requests)."""
    store = getattr(request.app.state, "store", None)
    if store is None:
        settings = get_settings(request)
        store = request.app.state.store = Store.open(settings.db_url, series_dir=settings.series_dir)
    return store


def _out(record: RunRecord) -> RunOut:
    return RunOut(
        id=record.id, district=record.district, scenario=record.scenario, area=record.area,
        input_hash=record.input_hash, versions=record.versions, created_at=record.created_at,
        wall_time_s=record.wall_time_s, status=record.status,
    )  # fmt: skip


def all_runs(request: Request, district: str | None = None) -> list[RunOut]:
    """The store's runs, newest first (at most :data:`RUNS_SHOWN`); only ``district``'s when
    given (the district's name as the runs record it, e.g. "Tongzhou pilot area (illustrative)")."""
    records = _store(request).runs(district)
    return [_out(r) for r in reversed(records[-RUNS_SHOWN:])]


def run_detail(request: Request, run_id: str) -> RunDetail:
    """One run with its indicators and series names; 404 when there is no such run."""
    store = _store(request)
    record = store.run(run_id)
    if record is None:
        raise HTTPException(status_code=404, detail=f"no run {run_id!r}")
    indicators: list[IndicatorOut] = []
    series: list[str] = []
    if record.status == "complete":
        try:
            result = store.load(run_id)
        except InputError:
            result = None
        if result is not None:
            labels = Labels(lang_of(request))
            indicators = [
                IndicatorOut(name=i.name, label=labels.indicator(i.name).text,
                             value=None if i.value != i.value else i.value, unit=i.unit,
                             scope=i.scope, target=i.target, passed=i.passed)
                for i in result.indicators
            ]  # fmt: skip
            series = list(result.series)
    return RunDetail(**_out(record).model_dump(), indicators=indicators, series=series)


@router.get("/runs", include_in_schema=False)
def runs_page(request: Request, user: User = Depends(require_user)) -> Response:
    return render(request, "runs.html", {"runs": all_runs(request), "jobs": list_jobs(request)})


@router.get("/runs/{run_id}", include_in_schema=False)
def run_page(request: Request, run_id: str, user: User = Depends(require_user)) -> Response:
    return render(request, "run.html", {"run": run_detail(request, run_id)})


@router.get("/api/runs", response_model=list[RunOut], tags=["runs"])
def api_runs(
    request: Request,
    district: str | None = Query(default=None, max_length=255, description="Only this district's runs (its name)"),
    user: User = Depends(require_user),
) -> list[RunOut]:
    """The store's runs, newest first (at most 500)."""
    return all_runs(request, district)


@router.get("/api/runs/{run_id}", response_model=RunDetail, tags=["runs"])
def api_run(request: Request, run_id: str, user: User = Depends(require_user)) -> RunDetail:
    """One run with its indicators (404 when unknown)."""
    return run_detail(request, run_id)
