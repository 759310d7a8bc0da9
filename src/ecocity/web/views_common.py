"""What the comparison, plant and buildings pages share: the district's latest results document,
or a 404 that says what is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import HTTPException

from ecocity.errors import InputError
from ecocity.web.results import district_folder, latest_document
from ecocity.web.settings import WebSettings


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
