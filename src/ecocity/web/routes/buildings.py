"""Building portfolio: ``/districts/{name}/buildings`` (ranking, EUI against the standard,
flags), ``/districts/{name}/buildings/{id}`` (a building's baseline and savings), the
portfolio-analysis POST ``/districts/{name}/buildings/run`` (editor and above; a ``portfolio``
job, as ``POST /api/jobs``), and the API ``/api/districts/{name}/buildings``,
``/api/districts/{name}/buildings/{id}``. With ``?job=`` a finished portfolio job's section is
shown instead of the assessment's."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from ecocity.store.web_tables import JobRow
from ecocity.web import views_buildings as views
from ecocity.web import views_models as models
from ecocity.web.db import User
from ecocity.web.deps import check_csrf, get_db, get_settings, lang_of, render, require_role, require_user
from ecocity.web.views_building_detail import baseline_detail
from ecocity.web.views_common import JOB_ID_PATTERN, document_with_job, folder_or_404, not_found

router = APIRouter()

BuildingId = Annotated[str, Path(min_length=1, max_length=200, description="The building's id in portfolio.csv.")]
Detail = Annotated[bool, Query(description="Fit the baseline again for its coefficients and the G14 limits.")]
City = Annotated[str | None, Query(max_length=100, description="Only the buildings of this city (beijing, copenhagen).")]
BuildingType = Annotated[str | None, Query(max_length=100, description="Only the buildings of this type (office, ...).")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Buildings skipped, in rank order.")]
ApiLimit = Annotated[int | None, Query(ge=1, le=100_000, description="At most this many buildings (default: all).")]
PageLimit = Annotated[int, Query(ge=1, le=5000, description="Buildings shown, in rank order.")]
JobId = Annotated[str | None, Query(pattern=JOB_ID_PATTERN, description="A done portfolio job of this district.")]
#: Buildings the portfolio page shows by default (in rank order).
PAGE_ROWS = 100


def _document(request: Request, name: str, job: str | None) -> dict[str, Any]:
    return document_with_job(get_settings(request), get_db(request), name, job, "portfolio")


def _found(document: dict[str, Any], building_id: str) -> None:
    try:
        views.find_building(document, building_id)
    except (views.NoPortfolio, views.UnknownBuilding) as err:
        raise not_found(err) from err


@router.get("/districts/{name}/buildings", response_class=HTMLResponse, include_in_schema=False)
def buildings_page(request: Request, name: str, city: City = None, type: BuildingType = None,
                   limit: PageLimit = PAGE_ROWS, job: JobId = None,
                   user: User = Depends(require_user)) -> HTMLResponse:
    """The portfolio ranked for action, EUI against the standard, the map and the flags (the
    first ``limit`` buildings of ``city`` and ``type`` in rank order)."""
    document = _document(request, name, job)
    try:
        context = views.portfolio_context(document, lang_of(request), city=city or None,
                                          building_type=type or None, limit=limit)
    except views.NoPortfolio as err:
        raise not_found(err) from err
    return render(request, "buildings.html", {**context, "district": name, "document": document, "job": job,
                                              "can_run": user.can("editor")})


@router.post("/districts/{name}/buildings/run", response_class=HTMLResponse, include_in_schema=False,
             dependencies=[Depends(check_csrf)])
def buildings_run(request: Request, name: str, user: User = Depends(require_role("editor"))) -> HTMLResponse:
    """Queue a ``portfolio`` job: the district's buildings.toml portfolio assessed again."""
    folder_or_404(get_settings(request), name)
    row = request.app.state.jobs.submit("portfolio", name, {"scenarios": []}, user.username)
    with get_db(request).session() as session:
        return render(request, "buildings_run_queued.html", {"job": session.get(JobRow, row.id), "district": name},
                      status_code=202)


@router.get("/districts/{name}/buildings/{building_id}", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(require_user)])
def building_page(request: Request, name: str, building_id: BuildingId, job: JobId = None) -> HTMLResponse:
    """One building: baseline (model, balance points, coefficients, metrics against ASHRAE
    Guideline 14), flags, potential, quota and measured savings with their 90 % band."""
    document = _document(request, name, job)
    _found(document, building_id)
    detail, why = baseline_detail(folder_or_404(get_settings(request), name), building_id)
    context = views.building_context(document, building_id, lang_of(request), detail)
    return render(request, "buildings_detail.html",
                  {**context, "district": name, "document": document, "detail_missing": why, "job": job})


@router.get("/api/districts/{name}/buildings", response_model=models.PortfolioOut, tags=["buildings"],
            dependencies=[Depends(require_user)])
def buildings_api(request: Request, name: str, city: City = None, type: BuildingType = None, offset: Offset = 0,
                  limit: ApiLimit = None, job: JobId = None) -> dict[str, Any]:
    """The portfolio in rank order (savings without their daily series); ``city``, ``type``,
    ``offset`` and ``limit`` select a part (``n_matching`` counts all that match); ``job`` a
    finished portfolio run's instead of the latest assessment's."""
    try:
        return views.buildings_payload(_document(request, name, job), city=city or None,
                                       building_type=type or None, offset=offset, limit=limit)
    except views.NoPortfolio as err:
        raise not_found(err) from err


@router.get("/api/districts/{name}/buildings/{building_id}", response_model=models.BuildingOut, tags=["buildings"],
            dependencies=[Depends(require_user)])
def building_api(request: Request, name: str, building_id: BuildingId, detail: Detail = False,
                 job: JobId = None) -> dict[str, Any]:
    """One building's portfolio row with its daily savings; ``?detail=true`` adds the refitted
    baseline (``baseline_detail``: coefficients, metrics, G14 limits; None with
    ``baseline_detail_missing`` when it cannot be computed)."""
    document = _document(request, name, job)
    _found(document, building_id)
    fitted, why = baseline_detail(folder_or_404(get_settings(request), name), building_id) if detail else (None, None)
    return {**views.building_payload(document, building_id, fitted), "baseline_detail_missing": why}
