"""Add a district by uploading a zip of its folder (editor and above)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from ecocity.web.db import User
from ecocity.web.deps import check_csrf, get_settings, require_role
from ecocity.web.results import DistrictInfo
from ecocity.web.upload import MAX_UPLOAD_BYTES, DistrictExists, store_upload

router = APIRouter()


async def _read(file: UploadFile) -> bytes:
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(status_code=413, detail=f"the upload is larger than {MAX_UPLOAD_BYTES // 1024**2} MiB")
    return data


def _store(request: Request, data: bytes, filename: str, name: str | None) -> DistrictInfo:
    try:
        return store_upload(get_settings(request), data, filename, name or None)
    except DistrictExists as err:
        raise HTTPException(status_code=409, detail=str(err)) from err


@router.post("/api/districts", response_model=DistrictInfo, status_code=201, tags=["districts"],
             dependencies=[Depends(check_csrf)])  # fmt: skip
async def upload_district(
    request: Request,
    file: UploadFile = File(description="A zip of a district folder (district.toml at its top or in one top folder)"),
    name: str | None = Form(default=None, max_length=100, description="District name in URLs (default: the folder's)"),
    user: User = Depends(require_role("editor")),
) -> DistrictInfo:
    """Add a district (editor or admin): the zip is checked whole and the district loaded before
    anything is stored; 422 names the problem, 409 when the name is taken."""
    return _store(request, await _read(file), file.filename or "upload.zip", name)


@router.post("/districts/upload", include_in_schema=False, dependencies=[Depends(check_csrf)])
async def upload_district_page(
    request: Request,
    file: UploadFile = File(),
    name: str | None = Form(default=None, max_length=100),
    user: User = Depends(require_role("editor")),
) -> Response:
    info = _store(request, await _read(file), file.filename or "upload.zip", name)
    return RedirectResponse(f"/districts/{info.key}", status_code=303)

