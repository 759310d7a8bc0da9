"""Districts: the list, a district's map and indicator table, and their JSON API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ecocity.report.labels import Labels, indicator_sort_key
from ecocity.report.tables import summary_rows
from ecocity.web.db import User
from ecocity.web.deps import get_settings, lang_of, render, require_user
from ecocity.web.geo import district_geojson, map_indicator_names
from ecocity.web.results import (
    DistrictInfo,
    district_folder,
    district_info,
    latest_document,
    list_districts,
)
from ecocity.web.schemas import DistrictDetail, IndicatorOut, ScenarioSummary

router = APIRouter()


def district_detail(request: Request, key: str) -> DistrictDetail:
    """A district and the district-scale indicators of its latest results."""
    settings = get_settings(request)
    info = district_info(settings, key)
    document = latest_document(settings, key)
    if document is None:
        return DistrictDetail(info=info)
    labels = Labels(lang_of(request))
    order = labels.indicator_order()
    scenarios = []
    for scenario in document.get("scenarios", []):
        items = [i for i in scenario.get("indicators", []) if i.get("scope") == "district"]
        items.sort(key=lambda i: indicator_sort_key(i["name"], order))
        scenarios.append(ScenarioSummary(
            name=scenario["name"], description=scenario.get("description", ""),
            run_id=scenario.get("run_id", ""), cached=bool(scenario.get("cached")),
            indicators=[IndicatorOut(label=labels.indicator(i["name"]).text, **_fields(i)) for i in items],
        ))  # fmt: skip
    head = document.get("district", {})
    return DistrictDetail(
        info=info, area_m2=head.get("area_m2"), n_subcatchments=head.get("n_subcatchments"),
        created_utc=document.get("created_utc"), scenarios=scenarios,
        map_indicators=map_indicator_names(document),
    )  # fmt: skip


def _fields(item: dict[str, Any]) -> dict[str, Any]:
    keys = ("name", "value", "unit", "scope", "target", "passed")
    return {k: item.get(k) for k in keys}


@router.get("/", include_in_schema=False)
def districts_page(request: Request, user: User = Depends(require_user)) -> Response:
    return render(request, "districts.html", {"districts": list_districts(get_settings(request))})


@router.get("/districts/{name}", include_in_schema=False)
def district_page(request: Request, name: str, user: User = Depends(require_user)) -> Response:
    detail = district_detail(request, name)
    labels = Labels(lang_of(request))
    indicator_labels = {n: labels.indicator(n).text for n in detail.map_indicators}
    from ecocity.web.routes.jobs import district_jobs

    document = latest_document(get_settings(request), name)
    rows = summary_rows(document, labels) if document and document.get("scenarios") else []
    return render(request, "district.html", {
        "detail": detail, "indicator_labels": indicator_labels, "jobs": district_jobs(request, name), "rows": rows,
    })  # fmt: skip


@router.get("/districts/{name}/report.{fmt}", include_in_schema=False)
def district_report(request: Request, name: str, fmt: str, user: User = Depends(require_user)) -> Response:
    """The district report of the latest results (as ``ecocity report``): a self-contained HTML
    file or a PDF, in the page's language; 404 before the district's first run."""
    from fastapi import HTTPException

    if fmt not in ("html", "pdf"):
        raise HTTPException(status_code=404, detail=f"no report format {fmt!r}; expected html or pdf")
    settings = get_settings(request)
    district_folder(settings, name)
    document = latest_document(settings, name)
    if document is None:
        raise HTTPException(status_code=404, detail=f"district {name!r} has no results yet")
    language = lang_of(request)
    if fmt == "html":
        from ecocity.report import report_html

        return Response(report_html(document, language=language), media_type="text/html; charset=utf-8")
    from ecocity.report.pdf import report_pdf

    headers = {"Content-Disposition": f'attachment; filename="{name}-report-{language}.pdf"'}
    return Response(report_pdf(document, language=language), media_type="application/pdf", headers=headers)


@router.get("/api/districts", response_model=list[DistrictInfo], tags=["districts"])
def api_districts(request: Request, user: User = Depends(require_user)) -> list[DistrictInfo]:
    """Every district of the workspace."""
    return list_districts(get_settings(request))


@router.get("/api/districts/{name}", response_model=DistrictDetail, tags=["districts"])
def api_district(request: Request, name: str, user: User = Depends(require_user)) -> DistrictDetail:
    """A district and its latest results' district indicators (422 for an unknown district)."""
    return district_detail(request, name)


@router.get("/api/districts/{name}/geojson", tags=["districts"])
def api_district_geojson(request: Request, name: str, user: User = Depends(require_user)) -> dict[str, Any]:
    """The district's subcatchments in WGS84 (GeoJSON), each feature with its per-scenario
    ``indicators`` and ``measures`` from the latest results."""
    settings = get_settings(request)
    info = district_info(settings, name)
    return district_geojson(district_folder(settings, name), info.crs, latest_document(settings, name))


@router.get("/api/districts/{name}/results", tags=["districts"])
def api_district_results(request: Request, name: str, user: User = Depends(require_user)) -> dict[str, Any]:
    """The district's latest results document (``results.json``, see ``docs/report.md``);
    404 before its first run."""
    from fastapi import HTTPException

    settings = get_settings(request)
    district_folder(settings, name)
    document = latest_document(settings, name)
    if document is None:
        raise HTTPException(status_code=404, detail=f"district {name!r} has no results yet")
    return document
