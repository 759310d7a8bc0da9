"""Building portfolio: ``/districts/{name}/buildings`` (ranking, EUI against the standard,
flags), ``/districts/{name}/buildings/{id}`` (a building's baseline and savings) and their API
``/api/districts/{name}/buildings``, ``/api/districts/{name}/buildings/{id}``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from ecocity.web import views_buildings as views
from ecocity.web import views_models as models
from ecocity.web.deps import get_settings, lang_of, render, require_user
from ecocity.web.settings import WebSettings
from ecocity.web.views_building_detail import baseline_detail
from ecocity.web.views_common import document_or_404, folder_or_404, not_found

router = APIRouter()

BuildingId = Annotated[str, Path(min_length=1, max_length=200, description="The building's id in portfolio.csv.")]
Detail = Annotated[bool, Query(description="Fit the baseline again for its coefficients and the G14 limits.")]
City = Annotated[str | None, Query(max_length=100, description="Only the buildings of this city (beijing, copenhagen).")]
BuildingType = Annotated[str | None, Query(max_length=100, description="Only the buildings of this type (office, ...).")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Buildings skipped, in rank order.")]
ApiLimit = Annotated[int | None, Query(ge=1, le=100_000, description="At most this many buildings (default: all).")]
PageLimit = Annotated[int, Query(ge=1, le=5000, description="Buildings shown, in rank order.")]
#: Buildings the portfolio page shows by default (in rank order).
PAGE_ROWS = 100


@router.get("/districts/{name}/buildings", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(require_user)])
def buildings_page(request: Request, name: str, city: City = None, type: BuildingType = None,
                   limit: PageLimit = PAGE_ROWS, settings: WebSettings = Depends(get_settings)) -> HTMLResponse:
    """The portfolio ranked for action, EUI against the standard, the map and the flags (the
    first ``limit`` buildings of ``city`` and ``type`` in rank order)."""
    document = document_or_404(settings, name)
    try:
        context = views.portfolio_context(document, lang_of(request), city=city or None,
                                          building_type=type or None, limit=limit)
    except views.NoPortfolio as err:
        raise not_found(err) from err
    return render(request, "buildings.html", {**context, "district": name, "document": document})


@router.get("/districts/{name}/buildings/{building_id}", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(require_user)])
def building_page(request: Request, name: str, building_id: BuildingId,
                  settings: WebSettings = Depends(get_settings)) -> HTMLResponse:
    """One building: baseline (model, balance points, coefficients, metrics against ASHRAE
    Guideline 14), flags, potential, quota and measured savings with their 90 % band."""
    document = document_or_404(settings, name)
    try:
        views.find_building(document, building_id)
    except (views.NoPortfolio, views.UnknownBuilding) as err:
        raise not_found(err) from err
    detail, why = baseline_detail(folder_or_404(settings, name), building_id)
    context = views.building_context(document, building_id, lang_of(request), detail)
    return render(request, "buildings_detail.html",
                  {**context, "district": name, "document": document, "detail_missing": why})


@router.get("/api/districts/{name}/buildings", response_model=models.PortfolioOut, tags=["buildings"],
            dependencies=[Depends(require_user)])
def buildings_api(name: str, city: City = None, type: BuildingType = None, offset: Offset = 0,
                  limit: ApiLimit = None, settings: WebSettings = Depends(get_settings)) -> dict[str, Any]:
    """The portfolio in rank order (savings without their daily series); ``city``, ``type``,
    ``offset`` and ``limit`` select a part (``n_matching`` counts all that match)."""
    try:
        return views.buildings_payload(document_or_404(settings, name), city=city or None,
                                       building_type=type or None, offset=offset, limit=limit)
    except views.NoPortfolio as err:
        raise not_found(err) from err


@router.get("/api/districts/{name}/buildings/{building_id}", response_model=models.BuildingOut, tags=["buildings"],
            dependencies=[Depends(require_user)])
def building_api(name: str, building_id: BuildingId, detail: Detail = False,
                 settings: WebSettings = Depends(get_settings)) -> dict[str, Any]:
    """One building's portfolio row with its daily savings; ``?detail=true`` adds the refitted
    baseline (``baseline_detail``: coefficients, metrics, G14 limits; None with
    ``baseline_detail_missing`` when it cannot be computed)."""
    document = document_or_404(settings, name)
    try:
        views.find_building(document, building_id)
    except (views.NoPortfolio, views.UnknownBuilding) as err:
        raise not_found(err) from err
    fitted, why = baseline_detail(folder_or_404(settings, name), building_id) if detail else (None, None)
    return {**views.building_payload(document, building_id, fitted), "baseline_detail_missing": why}
