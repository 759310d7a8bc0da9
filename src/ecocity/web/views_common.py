"""What the comparison, plant and buildings pages share: the district's latest results document,
or a 404 that says what is missing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import HTTPException

from ecocity.errors import InputError
from ecocity.store.web_tables import JOB_DONE, JobRow
from ecocity.web.db import Database
from ecocity.web.results import district_folder, latest_document
from ecocity.web.settings import WebSettings

#: What a finished job of each kind wrote that a page can show instead of the assessment's
#: section (:mod:`ecocity.web.jobs`): (file in the job folder, results-document key).
JOB_OUTPUTS = {"plant": ("plant.json", "wastewater"), "portfolio": ("portfolio.json", "buildings")}
#: A job id in a query (``?job=``).
JOB_ID_PATTERN = r"^[0-9a-f]{32}$"


def folder_or_404(settings: WebSettings, name: str) -> Path:
    """The folder of district ``name``; 404 naming it when the workspace has none."""
    try:
        return district_folder(settings, name)
    except InputError as err:
        raise HTTPException(status_code=404, detail=f"no district {name!r} in the workspace") from err


def document_or_404(settings: WebSettings, name: str) -> dict[str, Any]:
    """The latest results document of district ``name``; 404 when the district is unknown or
    has not been assessed yet."""
    folder_or_404(settings, name)
    document = latest_document(settings, name)
    if document is None:
        raise HTTPException(status_code=404,
                            detail=f"district {name!r} has no results yet: run an assessment first")
    return document


def not_found(err: LookupError) -> HTTPException:
    """A 404 carrying the message of a view model's lookup error."""
    return HTTPException(status_code=404, detail=str(err.args[0]) if err.args else "not found")


def job_section(db: Database, name: str, job_id: str, kind: str) -> dict[str, Any]:
    """The section a finished ``kind`` job of district ``name`` wrote (:data:`JOB_OUTPUTS`);
    404 when there is no such finished job or its file is gone."""
    file_name, _ = JOB_OUTPUTS[kind]
    with db.session() as session:
        row = session.get(JobRow, job_id)
        found = row is not None and row.district == name and row.kind == kind and row.status == JOB_DONE
        path = Path(row.out_dir) / file_name if found else None
    if path is None or not path.is_file():
        raise HTTPException(status_code=404, detail=f"no finished {kind} run {job_id!r} of district {name!r}")
    return json.loads(path.read_text(encoding="utf-8"))


def document_with_job(settings: WebSettings, db: Database, name: str, job_id: str | None, kind: str) -> dict[str, Any]:
    """The district's latest results document; with ``job_id``, its plant or buildings section
    replaced by that finished job's (:func:`job_section`)."""
    document = document_or_404(settings, name)
    if job_id is None:
        return document
    return {**document, JOB_OUTPUTS[kind][1]: job_section(db, name, job_id, kind)}
