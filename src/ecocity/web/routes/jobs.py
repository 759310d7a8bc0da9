"""Jobs: start a run from the page (editor and above), follow its progress, list jobs, cancel one
(editors and admins any job, every user their own)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from jinja2 import pass_context
from sqlalchemy import select

from ecocity.errors import InputError
from ecocity.store.web_tables import JobRow
from ecocity.web.db import User
from ecocity.web.deps import check_csrf, get_db, render, require_role, require_user, templates
from ecocity.web.results import district_folder
from ecocity.web.jobs import FINISHED, JOB_CANCELLED, PLANT_OPTIONS, decode_message, detail_text, message_text
from ecocity.web.schemas import JobOut, JobRequest

router = APIRouter()
JOBS_SHOWN = 200


def _out(row: JobRow) -> JobOut:
    """The API's view of a row: the message in English, its structured form in ``detail``."""
    detail = decode_message(row.message)
    cancelled_by = detail.get("user") if detail and row.status == JOB_CANCELLED else None
    return JobOut.model_validate(
        {**{name: getattr(row, name) for name in JobOut.model_fields if hasattr(row, name)},
         "message": message_text(row.message, "en"), "detail": detail, "cancelled_by": cancelled_by}
    )  # fmt: skip


@pass_context
def _job_message(context, job: JobOut) -> str:  # type: ignore[no-untyped-def]
    """A job's message in the page's language (templates: ``job_message(job)``)."""
    return detail_text(job.detail, job.message, context.get("lang", "en"))


def _may_cancel(user: User | None, job: JobOut) -> bool:
    """Editors and admins may cancel any job, every user the jobs they started."""
    return user is not None and (user.can("editor") or user.username == job.username)


templates.env.globals.update(job_message=_job_message, may_cancel=_may_cancel)


def list_jobs(request: Request) -> list[JobOut]:
    """The newest jobs first (at most :data:`JOBS_SHOWN`)."""
    with get_db(request).session() as session:
        rows = session.scalars(select(JobRow).order_by(JobRow.created_at.desc()).limit(JOBS_SHOWN)).all()
        return [_out(r) for r in rows]


def get_job(request: Request, job_id: str) -> JobOut:
    """One job; 404 when unknown."""
    with get_db(request).session() as session:
        row = session.get(JobRow, job_id)
        if row is None:
            raise HTTPException(status_code=404, detail=f"no job {job_id!r}")
        return _out(row)


def check_options(body: JobRequest) -> dict:
    """The job's parameters, checked: ``years`` a positive number, ``days`` too."""
    options = dict(body.options)
    for key in ("years", "days"):
        if key in options and options[key] is not None:
            value = options[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1e6:
                raise InputError(f"options.{key} must be a positive number below 1e6, got {value!r}", field=key)
    allowed = {"assess": {"years", "report", "language"}, "plant": {"plant", "control", "days", *PLANT_OPTIONS},
               "portfolio": set()}
    unknown = sorted(set(options) - allowed[body.kind])
    if unknown:
        raise InputError(f"unknown options for a {body.kind} job: {', '.join(unknown)}", field="options")
    if body.kind == "plant":  # planner options checked by Bsm2Options now, not when the job runs
        from ecocity.web.views_plant import variant_options

        options.update(variant_options({k: options[k] for k in PLANT_OPTIONS if k in options}))
    scenarios = list(body.scenarios) + ([body.scenario] if body.scenario else [])
    return {"scenarios": scenarios, **options}


@router.post("/api/jobs", response_model=JobOut, status_code=202, tags=["jobs"],
             dependencies=[Depends(check_csrf)])  # fmt: skip
def start_job(request: Request, body: JobRequest, user: User = Depends(require_role("editor"))) -> JobOut:
    """Start a job in the background (editor or admin); poll ``/api/jobs/{id}``."""
    params = check_options(body)
    district_folder(request.app.state.settings, body.district)
    row = request.app.state.jobs.submit(body.kind, body.district, params, user.username)
    return get_job(request, row.id)


@router.get("/api/jobs", response_model=list[JobOut], tags=["jobs"])
def api_jobs(request: Request, user: User = Depends(require_user)) -> list[JobOut]:
    """The newest jobs first."""
    return list_jobs(request)


@router.get("/api/jobs/{job_id}", response_model=JobOut, tags=["jobs"])
def api_job(request: Request, job_id: str, user: User = Depends(require_user)) -> JobOut:
    """One job's state and progress."""
    return get_job(request, job_id)


@router.get("/jobs/{job_id}/status", include_in_schema=False)
def job_status_fragment(request: Request, job_id: str, user: User = Depends(require_user)) -> Response:
    """The job's progress bar (htmx polls it every second while it runs)."""
    return render(request, "_job_status.html", {"job": get_job(request, job_id)})


def cancel_job(request: Request, job_id: str, user: User) -> tuple[JobOut, bool]:
    """Cancel a job for ``user``: 404 unknown, 403 a viewer's cancel of another's job, 409 when
    it has finished. Returns the job and whether it is cancelled already (False: cancelling)."""
    job = get_job(request, job_id)
    if not _may_cancel(user, job):
        raise HTTPException(status_code=403, detail="needs the editor role, or to be the job's owner")
    if job.status in FINISHED:
        raise HTTPException(status_code=409, detail=f"job {job_id!r} has finished already ({job.status})")
    row = request.app.state.jobs.cancel(job_id, user.username)
    job = _out(row)
    if job.status in FINISHED and job.status != JOB_CANCELLED:
        raise HTTPException(status_code=409, detail=f"job {job_id!r} has finished already ({job.status})")
    return job, job.status == JOB_CANCELLED


@router.post("/api/jobs/{job_id}/cancel", response_model=JobOut, tags=["jobs"],
             dependencies=[Depends(check_csrf)],
             responses={202: {"model": JobOut, "description": "A running job: it stops at its next progress report."},
                        404: {"description": "No such job."}, 409: {"description": "The job has finished."}})  # fmt: skip
def api_cancel_job(request: Request, job_id: str, user: User = Depends(require_user)) -> Response:
    """Cancel a job: a queued one at once (200, status ``cancelled``); a running one at its next
    progress report (202, ``detail.key`` ``cancelling``); the tasks already running finish."""
    job, now = cancel_job(request, job_id, user)
    return JSONResponse(job.model_dump(mode="json"), status_code=200 if now else 202)


@router.post("/jobs/{job_id}/cancel", include_in_schema=False, dependencies=[Depends(check_csrf)])
def cancel_job_from_page(request: Request, job_id: str, user: User = Depends(require_user)) -> Response:
    """The cancel button of a job's progress bar (htmx): answer the updated bar."""
    job, _now = cancel_job(request, job_id, user)
    return render(request, "_job_status.html", {"job": job})


@router.post("/districts/{name}/run", include_in_schema=False, dependencies=[Depends(check_csrf)])
async def start_job_from_page(
    request: Request, name: str, user: User = Depends(require_role("editor"))
) -> Response:
    """The district page's run form (htmx): start an assess job, answer its progress bar."""
    form = await request.form()
    years_text = str(form.get("years") or "").strip()
    scenario = str(form.get("scenario") or "").strip() or None
    try:
        years = float(years_text) if years_text else None
    except ValueError as err:
        raise InputError(f"years must be a number, got {years_text!r}", field="years") from err
    options = {} if years is None else {"years": years}
    body = JobRequest(kind="assess", district=name, scenario=scenario, options=options)
    params = check_options(body)
    row = request.app.state.jobs.submit(body.kind, body.district, params, user.username)
    return render(request, "_job_status.html", {"job": get_job(request, row.id)}, status_code=202)


def district_jobs(request: Request, key: str, limit: int = 5) -> list[JobOut]:
    """The district's newest jobs."""
    with get_db(request).session() as session:
        rows = session.scalars(
            select(JobRow).where(JobRow.district == key).order_by(JobRow.created_at.desc()).limit(limit)
        ).all()
        return [_out(r) for r in rows]
