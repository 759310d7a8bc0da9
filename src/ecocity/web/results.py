"""The districts of the workspace and their latest results documents.

A district is a sub-folder of the workspace holding a ``district.toml``; it is named in URLs
by its folder name (its *key*, e.g. ``tongzhou``). Its latest results document is the
``results.json`` (:func:`ecocity.results.results_document`) of its newest finished ``assess``
job, else the one ``ecocity assess`` left in ``<district>/ecocity-out/``.
"""

from __future__ import annotations

import json
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from ecocity.errors import InputError
from ecocity.store.web_tables import JOB_DONE, JobRow
from ecocity.web.settings import WebSettings

DISTRICT_FILE = "district.toml"
RESULTS_FILE = "results.json"
CLI_OUT = "ecocity-out"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class DistrictInfo(BaseModel):
    """One district of the workspace, as listed (read from its TOML only, not simulated)."""

    key: str
    name: str
    crs: str
    scenarios: list[str]
    has_results: bool
    created_utc: str | None = None
    error: str | None = None


class UnknownDistrict(InputError):
    """No district folder of that name in the workspace (the API answers 404)."""


def check_key(key: str) -> str:
    """Refuse a district key that is not a plain folder name (no paths, no dots first)."""
    if not KEY_PATTERN.match(key):
        raise InputError(
            "a district is named by its folder: letters, digits, '_', '-', '.'", field="district"
        )
    return key


def district_folder(settings: WebSettings, key: str) -> Path:
    """The folder of district ``key``; InputError when there is none."""
    folder = settings.workspace / check_key(key)
    if not (folder / DISTRICT_FILE).is_file():
        raise UnknownDistrict(f"no district {key!r} in the workspace", field="district")
    return folder


def list_districts(settings: WebSettings) -> list[DistrictInfo]:
    """Every district folder of the workspace, by key."""
    if not settings.workspace.is_dir():
        return []
    found = []
    for folder in sorted(settings.workspace.iterdir()):
        if folder.is_dir() and (folder / DISTRICT_FILE).is_file() and KEY_PATTERN.match(folder.name):
            found.append(_info(settings, folder))
    return found


def district_info(settings: WebSettings, key: str) -> DistrictInfo:
    """The listing entry of district ``key``."""
    return _info(settings, district_folder(settings, key))


def _info(settings: WebSettings, folder: Path) -> DistrictInfo:
    document = latest_document(settings, folder.name)
    created = None if document is None else document.get("created_utc")
    try:
        table = tomllib.loads((folder / DISTRICT_FILE).read_text(encoding="utf-8"))
        head = table.get("district", {})
        return DistrictInfo(
            key=folder.name, name=str(head.get("name", folder.name)), crs=str(head.get("crs", "")),
            scenarios=scenario_names(folder), has_results=document is not None, created_utc=created,
        )  # fmt: skip
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        return DistrictInfo(key=folder.name, name=folder.name, crs="", scenarios=[],
                            has_results=document is not None, error=f"{DISTRICT_FILE}: {err}")  # fmt: skip


def scenario_names(folder: Path) -> list[str]:
    """Names of the district's scenarios, from ``scenarios/*.toml`` (file-name order)."""
    names = []
    for path in sorted((folder / "scenarios").glob("*.toml")):
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        names.append(str(table.get("name", path.stem)))
    return names


def latest_results_path(settings: WebSettings, key: str) -> Path | None:
    """``results.json`` of the district's newest finished assess job, else of its CLI run."""
    from ecocity.web.db import database

    with database(settings.db_url).session() as session:
        rows = session.scalars(
            select(JobRow)
            .where(JobRow.district == key, JobRow.kind == "assess", JobRow.status == JOB_DONE)
            .order_by(JobRow.finished_at.desc())
        ).all()
        folders = [row.out_dir for row in rows]
    for out_dir in folders:
        path = Path(out_dir) / RESULTS_FILE
        if path.is_file():
            return path
    cli = settings.workspace / key / CLI_OUT / RESULTS_FILE
    return cli if cli.is_file() else None


def latest_document(settings: WebSettings, district_name: str) -> dict[str, Any] | None:
    """The results document of the district's latest completed run, or None.

    ``district_name`` is the district's key (its folder name in the workspace).
    """
    if not KEY_PATTERN.match(district_name):
        return None
    path = latest_results_path(settings, district_name)
    if path is None:
        return None
    return _read_document(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _read_document(path: str, mtime_ns: int) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(f"results document cannot be read: {err}", file=path) from err
