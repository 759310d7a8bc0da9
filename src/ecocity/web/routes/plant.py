"""Wastewater plant: ``/districts/{name}/plant`` (effluent against the standards, energy flows,
self-sufficiency, GHG; a variant run's result with ``?job=``), the variant form's POST
``/districts/{name}/plant/variant`` (editor and above; it queues a ``plant`` job like
``POST /api/jobs``) and ``/api/districts/{name}/plant``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from ecocity.errors import InputError
from ecocity.report.labels import Labels
from ecocity.store.web_tables import JobRow
from ecocity.web import views_models as models
from ecocity.web import views_plant as views
from ecocity.web.db import User
from ecocity.web.deps import check_csrf, get_db, get_settings, lang_of, render, require_role, require_user
from ecocity.web.views_common import JOB_ID_PATTERN, document_or_404, document_with_job, folder_or_404, not_found

router = APIRouter()

#: Variant runs listed on the page.
VARIANTS_SHOWN = 10

JobId = Annotated[str | None, Query(pattern=JOB_ID_PATTERN, description="A done plant job of this district.")]


def _document(request: Request, name: str, job: str | None) -> dict[str, Any]:
    """The district's results document; with ``job``, its plant section replaced by the job's."""
    return document_with_job(get_settings(request), get_db(request), name, job, "plant")


def _variants(request: Request, name: str) -> list[dict[str, Any]]:
    """The district's latest plant jobs: id, status, progress, options and when."""
    with get_db(request).session() as session:
        rows = session.scalars(select(JobRow).where(JobRow.district == name, JobRow.kind == "plant")
                               .order_by(JobRow.created_at.desc()).limit(VARIANTS_SHOWN)).all()
        return [{"id": r.id, "status": r.status, "progress": r.progress, "message": r.message,
                 "options": {k: v for k, v in (r.params or {}).items() if k != "scenarios"},
                 "created_at": r.created_at} for r in rows]  # fmt: skip


@router.get("/districts/{name}/plant", response_class=HTMLResponse, include_in_schema=False)
def plant_page(request: Request, name: str, job: JobId = None, user: User = Depends(require_user)) -> HTMLResponse:
    """The plant's effluent against the standards, energy flows, self-sufficiency and GHG."""
    document = _document(request, name, job)
    try:
        context = views.page_context(document, Labels(lang_of(request)))
    except views.NoPlant as err:
        raise not_found(err) from err
    base = document_or_404(get_settings(request), name).get("wastewater") if job else None
    compared = views.variant_rows(base, document["wastewater"]) if base and views.is_plantwide(base) else []
    return render(request, "plant.html", {**context, "district": name, "job": job, "compared": compared,
                                          "variants": _variants(request, name), "can_run": user.can("editor")})


@router.post("/districts/{name}/plant/variant", response_class=HTMLResponse, include_in_schema=False,
             dependencies=[Depends(check_csrf)])
async def plant_variant(request: Request, name: str, user: User = Depends(require_role("editor"))) -> HTMLResponse:
    """Queue a ``plant`` job with the form's planner options (checked first: 422 naming the field)."""
    folder_or_404(get_settings(request), name)
    form = await request.form()
    payload = {k: v for k, v in form.items() if k != "csrf_token" and isinstance(v, str)}
    try:
        options = views.variant_options(payload)
    except InputError as err:
        return render(request, "plant_variant_error.html", {"message": str(err)}, status_code=422)
    row = request.app.state.jobs.submit("plant", name, {"scenarios": [], **options}, user.username)
    with get_db(request).session() as session:
        job = session.get(JobRow, row.id)
        context = {"job": job, "district": name, "options": options}
        return render(request, "plant_variant_queued.html", context, status_code=202)


@router.get("/api/districts/{name}/plant", response_model=models.PlantOut, tags=["plant"])
def plant_api(request: Request, name: str, job: JobId = None, user: User = Depends(require_user)) -> dict[str, Any]:
    """The plant section: effluent means, BSM criteria, compliance per standard, and for the
    plant-wide BSM2 the digester, the energy balance (self-sufficiency) and the GHG account;
    ``?job=`` a finished variant run's instead of the latest assessment's."""
    try:
        return views.plant_payload(_document(request, name, job))
    except views.NoPlant as err:
        raise not_found(err) from err
