"""Scenario comparison: ``/districts/{name}/compare`` (page; with htmx, the difference table
alone) and ``/api/districts/{name}/scenarios``, ``/api/districts/{name}/compare``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from ecocity.report.labels import Labels
from ecocity.web import views_compare as views
from ecocity.web import views_models as models
from ecocity.web.deps import get_settings, lang_of, render, require_user
from ecocity.web.settings import WebSettings
from ecocity.web.views_common import document_or_404, not_found

router = APIRouter()

ScenarioName = Annotated[str, Query(min_length=1, max_length=200, description="A scenario's name.")]
OptionalScenario = Annotated[str | None, Query(min_length=1, max_length=200, description="A scenario's name.")]


@router.get("/districts/{name}/compare", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(require_user)])
def compare_page(request: Request, name: str, a: OptionalScenario = None, b: OptionalScenario = None,
                 settings: WebSettings = Depends(get_settings)) -> HTMLResponse:
    """All scenarios' indicators against the targets, curves, hydrographs, costs, and the
    difference of ``b`` from ``a`` (defaults: the baseline and the first other scenario)."""
    document = document_or_404(settings, name)
    try:
        first, second = views.default_pair(document)
        context = views.page_context(document, Labels(lang_of(request)), a or first, b or second)
    except views.UnknownScenario as err:
        raise not_found(err) from err
    context.update(district=name, document=document)
    if request.headers.get("hx-request") and not request.headers.get("hx-history-restore-request"):
        return render(request, "compare_difference.html", context)
    return render(request, "compare.html", context)


@router.get("/api/districts/{name}/scenarios", response_model=models.ScenariosOut, tags=["scenarios"],
            dependencies=[Depends(require_user)])
def scenarios_api(name: str, settings: WebSettings = Depends(get_settings)) -> dict[str, Any]:
    """Every scenario's district indicators (value, unit, target, passed), measures and cost."""
    return views.scenarios_payload(document_or_404(settings, name))


@router.get("/api/districts/{name}/compare", response_model=models.CompareOut, tags=["scenarios"],
            dependencies=[Depends(require_user)])
def compare_api(name: str, a: ScenarioName, b: ScenarioName,
                settings: WebSettings = Depends(get_settings)) -> dict[str, Any]:
    """District indicators of scenarios ``a`` and ``b``: values, b − a, relative change,
    which is better by the target's direction and which meets the target."""
    try:
        return views.compare_payload(document_or_404(settings, name), a, b)
    except views.UnknownScenario as err:
        raise not_found(err) from err
