"""Read a programme folder: ``programme.toml``, ``partners.csv``, ``activities.csv``,
``indicators.toml`` (``docs/programme-format.md``).

Every problem is an :class:`~ecocity.errors.InputError` naming the file, the record (a CSV row
by its line number, an indicator by its id) and the field.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ecocity.errors import InputError
from ecocity.programme.model import Activity, IndicatorSpec, Partner, Programme, ProgrammeRecords

PROGRAMME_FILE = "programme.toml"
PARTNERS_FILE = "partners.csv"
ACTIVITIES_FILE = "activities.csv"
INDICATORS_FILE = "indicators.toml"
PARTNER_COLUMNS = ("name", "name_zh", "country", "role")
ACTIVITY_COLUMNS = ("date", "kind", "title", "title_zh", "place", "participants", "partners")
_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n", ""}


def _field(loc: tuple) -> str:
    return ".".join("from" if part == "from_" else str(part) for part in loc) or "(record)"


def _validated(model: type[BaseModel], data: dict[str, Any], file: Path, record: str | None) -> Any:
    """``model`` of ``data``; the first validation problem as an InputError."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        got = first.get("input")
        if first["type"] not in ("missing", "value_error") and not isinstance(got, dict | list):
            message += f" (got {got!r})"
        raise InputError(message, file=file, record=record, field=_field(first["loc"])) from err


def _toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError("the file is missing", file=path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"not valid TOML: {err}", file=path) from err


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV file with their line numbers; the header must hold ``required``."""
    if not path.is_file():
        raise InputError("the file is missing", file=path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(f"missing column(s) {', '.join(missing)}; the header needs "
                                 f"{', '.join(required)}", file=path, record="header")
            rows = []
            for row in reader:
                if None in row:
                    raise InputError("more cells than columns in the header", file=path,
                                     record=f"row {reader.line_num}")
                if any((v or "").strip() for v in row.values()):
                    rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
            return rows
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text: {err}", file=path) from err


def _flag(value: str, file: Path, record: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"expected yes or no, got {value!r}", file=file, record=record, field="illustrative")


def load_partners(path: Path) -> tuple[Partner, ...]:
    """The partners of ``partners.csv``; names must be unique."""
    partners, seen = [], set()
    for line, row in _rows(path, PARTNER_COLUMNS):
        record = f"row {line}"
        data = {k: row[k] for k in PARTNER_COLUMNS}
        data["illustrative"] = _flag(row.get("illustrative", ""), path, record)
        partner = _validated(Partner, data, path, record)
        if partner.name in seen:
            raise InputError(f"partner {partner.name!r} is listed twice", file=path, record=record, field="name")
        seen.add(partner.name)
        partners.append(partner)
    return tuple(partners)


def load_activities(path: Path, partner_names: set[str]) -> tuple[Activity, ...]:
    """The activities of ``activities.csv``; each partner named must be in ``partners.csv``."""
    activities = []
    for line, row in _rows(path, ACTIVITY_COLUMNS):
        record = f"row {line}"
        data: dict[str, Any] = {k: row[k] for k in ACTIVITY_COLUMNS}
        data["partners"] = tuple(p.strip() for p in row["partners"].split(";") if p.strip())
        data["illustrative"] = _flag(row.get("illustrative", ""), path, record)
        data["source"] = row.get("source", "")
        if not data["participants"].lstrip("-").isdigit():
            raise InputError(f"expected a whole number of people, got {data['participants']!r}", file=path,
                             record=record, field="participants")
        activity = _validated(Activity, data, path, record)
        unknown = [p for p in activity.partners if p not in partner_names]
        if unknown:
            raise InputError(f"partner(s) {', '.join(map(repr, unknown))} not in {PARTNERS_FILE}", file=path,
                             record=record, field="partners")
        activities.append(activity)
    return tuple(activities)


def load_indicators(path: Path) -> tuple[IndicatorSpec, ...]:
    """The indicators of ``indicators.toml`` (``[[indicator]]`` tables); ids must be unique."""
    entries = _toml(path).get("indicator")
    if not isinstance(entries, list) or not entries:
        raise InputError("expected one or more [[indicator]] tables", file=path, field="indicator")
    indicators, seen = [], set()
    for k, entry in enumerate(entries):
        record = str(entry.get("id") or f"indicator[{k}]") if isinstance(entry, dict) else f"indicator[{k}]"
        spec = _validated(IndicatorSpec, entry if isinstance(entry, dict) else {}, path, record)
        if spec.id in seen:
            raise InputError(f"indicator id {spec.id!r} is used twice", file=path, record=record, field="id")
        seen.add(spec.id)
        indicators.append(spec)
    return tuple(indicators)


def load_programme(folder: str | Path) -> ProgrammeRecords:
    """Every record of the programme folder, validated.

    Raises
    ------
    InputError
        Naming the file, the record and the field of the first problem found.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("no such programme folder", file=folder)
    path = folder / PROGRAMME_FILE
    table = _toml(path).get("programme")
    if not isinstance(table, dict):
        raise InputError("expected a [programme] table", file=path, field="programme")
    programme = _validated(Programme, table, path, None)
    partners = load_partners(folder / PARTNERS_FILE)
    activities = load_activities(folder / ACTIVITIES_FILE, {p.name for p in partners})
    indicators = load_indicators(folder / INDICATORS_FILE)
    for activity in activities:
        if not programme.first_year <= activity.date.year <= programme.last_year:
            raise InputError(f"{activity.date} is outside the programme's years {programme.first_year}–"
                             f"{programme.last_year}", file=folder / ACTIVITIES_FILE, record=activity.title,
                             field="date")
    return ProgrammeRecords(programme=programme, partners=partners, activities=activities,
                            indicators=indicators, folder=str(folder))
