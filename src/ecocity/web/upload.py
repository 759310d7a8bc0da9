"""A district uploaded as a zip of its folder: checked whole before anything is stored.

The archive is refused (and nothing kept) when it is not a zip, too big, holds unsafe paths
(absolute, ``..``, links), has no ``district.toml``, or when the district does not load
(:func:`ecocity.assess.load_inputs`: ``ecocity.district.load`` plus its rainfall). Only then is
the unpacked folder moved into the workspace, in one rename.
"""

from __future__ import annotations

import io
import shutil
import stat
import uuid
import zipfile
from pathlib import Path, PurePosixPath

from ecocity.errors import InputError
from ecocity.web.results import DISTRICT_FILE, KEY_PATTERN, DistrictInfo, district_info
from ecocity.web.settings import WebSettings

MAX_UPLOAD_BYTES = 200 * 1024**2
"""Largest zip accepted. [B]"""
MAX_UNPACKED_BYTES = 1024**3
"""Largest total size of the unpacked files. [B]"""
MAX_FILES = 5000


class DistrictExists(InputError):
    """The workspace has a district of that name already (the API answers 409)."""


def _members(archive: zipfile.ZipFile, name: str) -> tuple[list[zipfile.ZipInfo], str]:
    """The archive's files and the folder prefix to strip (one top folder, or none)."""
    entries = archive.infolist()
    if len(entries) > MAX_FILES:
        raise InputError(f"holds {len(entries)} entries, at most {MAX_FILES} are accepted", file=name)
    total = 0
    files = []
    for entry in entries:
        path = PurePosixPath(entry.filename)
        if entry.filename.startswith("/") or "\\" in entry.filename or ".." in path.parts or ":" in entry.filename:
            raise InputError(f"unsafe path {entry.filename!r} in the archive", file=name)
        if stat.S_ISLNK(entry.external_attr >> 16):
            raise InputError(f"{entry.filename!r} is a link; links are not accepted", file=name)
        total += entry.file_size
        if total > MAX_UNPACKED_BYTES:
            raise InputError(f"unpacks to more than {MAX_UNPACKED_BYTES // 1024**2} MiB", file=name)
        if not entry.is_dir() and "__MACOSX" not in path.parts:
            files.append(entry)
    tomls = [e for e in files if PurePosixPath(e.filename).name == DISTRICT_FILE]
    tops = sorted({PurePosixPath(e.filename).parts[0] for e in files if len(PurePosixPath(e.filename).parts) > 1})
    if any(e.filename == DISTRICT_FILE for e in tomls):
        return files, ""
    if len(tops) == 1 and any(e.filename == f"{tops[0]}/{DISTRICT_FILE}" for e in tomls):
        return files, tops[0] + "/"
    raise InputError(f"has no {DISTRICT_FILE} at its top (or in its one top folder)", file=name)


def store_upload(settings: WebSettings, data: bytes, filename: str, key: str | None) -> DistrictInfo:
    """Check the zip ``data`` and, when the district loads, add it to the workspace as ``key``.

    Raises
    ------
    InputError
        What is wrong with the archive or the district (nothing is stored).
    DistrictExists
        The workspace has a district ``key`` already.
    """
    label = filename or "upload.zip"
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(f"is larger than {MAX_UPLOAD_BYTES // 1024**2} MiB", file=label)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as err:
        raise InputError(f"is not a zip archive: {err}", file=label) from err
    with archive:
        files, prefix = _members(archive, label)
        name = key or (prefix.rstrip("/") if prefix else Path(label).stem)
        if not KEY_PATTERN.match(name):
            raise InputError(f"{name!r} cannot name a district: letters, digits, '_', '-', '.'",
                             field="name")  # fmt: skip
        target = settings.workspace / name
        if target.exists():
            raise DistrictExists(f"the workspace has a district {name!r} already", field="name")
        staging = settings.workspace / f".upload-{uuid.uuid4().hex}"
        folder = staging / name
        try:
            folder.mkdir(parents=True)
            for entry in files:
                relative = entry.filename[len(prefix):]
                destination = folder / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(entry) as source, destination.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
            _check_district(folder, label)
            try:
                folder.rename(target)
            except OSError as err:
                raise DistrictExists(f"the workspace has a district {name!r} already", field="name") from err
        except zipfile.BadZipFile as err:
            raise InputError(f"is a damaged zip archive: {err}", file=label) from err
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return district_info(settings, name)


def _check_district(folder: Path, label: str) -> None:
    from ecocity.assess import load_inputs

    try:
        load_inputs(folder)
    except InputError as err:
        raise InputError(f"the district does not load: {_relative(str(err), folder)}", file=label) from err


def _relative(message: str, folder: Path) -> str:
    """The loader's message without the temporary folder's path."""
    return message.replace(str(folder) + "/", "").replace(str(folder), ".")
