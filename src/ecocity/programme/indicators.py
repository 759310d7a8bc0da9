"""The programme's indicators for one year: entered values, or values read from model results.

A model-linked indicator (``from = {...}`` in ``indicators.toml``) is read from a results
document as ``ecocity assess`` writes it (``results.json``; ``docs/report.md``), or, for a plant,
from the summary ``ecocity wastewater simulate bsm2 --json`` prints:

- ``district``: the scenario's indicator of scope ``district`` (e.g. ``capture_ratio``);
- ``plant``: the plant section's indicator or energy figure (e.g.
  ``electricity_self_sufficiency``);
- ``portfolio``: a figure of the buildings section (:data:`PORTFOLIO_FIGURES`).

A district folder stands for its ``ecocity-out/results.json``. When that file does not exist
the value is missing (the report says which command makes it), not an error; an indicator or
scenario the results do not hold is an :class:`~ecocity.errors.InputError`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecocity.errors import InputError
from ecocity.programme.load import INDICATORS_FILE
from ecocity.programme.model import IndicatorSpec, ModelSource, ProgrammeRecords

RESULTS_FILE = "ecocity-out/results.json"


def _savings_kwh(section: dict) -> float:
    return float(sum((row.get("savings") or {}).get("avoided_kwh") or 0.0 for row in section.get("buildings") or []))


def _potential(key: str) -> Callable[[dict], float]:
    return lambda section: float(sum((row.get("potential") or {}).get(key) or 0.0
                                     for row in section.get("buildings") or []))


#: Portfolio figures an indicator can name: measured savings (IPMVP option C, summed over the
#: buildings with an intervention) [kWh], the yearly potential of reaching the guide values
#: [kWh/a] and [t CO₂/a], and the number of buildings.
PORTFOLIO_FIGURES: dict[str, Callable[[dict], float]] = {
    "kwh_saved": _savings_kwh,
    "potential_kwh": _potential("kwh"),
    "potential_t_co2": _potential("t_co2"),
    "n_buildings": lambda section: float(len(section.get("buildings") or [])),
}


@dataclass(frozen=True)
class IndicatorValue:
    """An indicator's value for the report year and how it compares.

    ``origin`` is ``"entered"`` (by hand), ``"model"`` (read from results) or ``"missing"``;
    ``detail`` says where the value came from (or what makes it); ``progress`` is the share of
    the way from baseline to target [-] (None without both); ``met`` whether the target is
    reached (None without a target or a value).
    """

    spec: IndicatorSpec
    year: int
    value: float | None
    origin: str
    detail: str
    progress: float | None
    met: bool | None


def results_path(folder: Path, location: str) -> Path:
    """The results document a ``from`` location stands for (relative to the programme folder)."""
    path = (folder / location) if not Path(location).is_absolute() else Path(location)
    return path if path.suffix.lower() == ".json" else path / RESULTS_FILE


def _read(path: Path, spec: IndicatorSpec, folder: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"cannot read the model results {path}: {err}", file=folder / INDICATORS_FILE,
                         record=spec.id, field="from") from err
    if not isinstance(document, dict):
        raise InputError(f"{path} is not a results document (a JSON object)", file=folder / INDICATORS_FILE,
                         record=spec.id, field="from")
    return document


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def model_value(source: ModelSource, document: dict) -> tuple[float | None, str]:
    """The value ``source`` names in a results ``document`` and where in it it was found.

    Raises
    ------
    KeyError
        With a message naming what is not there (the scenario, the section, the indicator).
    """
    name = source.indicator
    if source.kind == "district":
        scenario = next((s for s in document.get("scenarios") or [] if s.get("name") == source.scenario), None)
        if scenario is None:
            names = ", ".join(s.get("name", "?") for s in document.get("scenarios") or [])
            raise KeyError(f"no scenario {source.scenario!r} in the results (they hold: {names or 'none'})")
        item = next((i for i in scenario.get("indicators") or []
                     if i.get("name") == name and i.get("scope", "district") == "district"), None)
        if item is None:
            raise KeyError(f"scenario {source.scenario!r} has no district indicator {name!r}")
        return _number(item.get("value")), f"scenario {source.scenario}, run {scenario.get('run_id') or '—'}"
    if source.kind == "plant":
        section = document.get("wastewater") or (document if "energy" in document else None)
        if not section:
            raise KeyError("the results hold no plant (wastewater) section")
        item = next((i for i in section.get("indicators") or [] if i.get("name") == name), None)
        if item is not None:
            return _number(item.get("value")), f"plant {section.get('plant', '?')}, run {section.get('run_id') or '—'}"
        if name in (section.get("energy") or {}):
            return _number(section["energy"][name]), f"plant {section.get('plant', '?')}, energy balance"
        raise KeyError(f"the plant section has no indicator or energy figure {name!r}")
    section = document.get("buildings")
    if not section:
        raise KeyError("the results hold no buildings (portfolio) section")
    if name not in PORTFOLIO_FIGURES:
        raise KeyError(f"unknown portfolio figure {name!r}; use one of {', '.join(PORTFOLIO_FIGURES)}")
    return PORTFOLIO_FIGURES[name](section), f"portfolio {section.get('portfolio', '?')}"


def _compare(spec: IndicatorSpec, value: float | None) -> tuple[float | None, bool | None]:
    if value is None or spec.target is None:
        return None, None
    met = value >= spec.target if spec.higher_is_better else value <= spec.target
    if spec.baseline is None or spec.target == spec.baseline:
        return None, met
    return (value - spec.baseline) / (spec.target - spec.baseline), met


def indicator_value(spec: IndicatorSpec, year: int, folder: Path) -> IndicatorValue:
    """The value of ``spec`` for ``year`` (an entered value of that year, or the model result)."""
    if spec.from_ is None:
        value = spec.values.get(year)
        detail = spec.source or ""
        return IndicatorValue(spec, year, value, "entered" if value is not None else "missing", detail,
                              *_compare(spec, value))
    source = spec.from_
    path = results_path(folder, source.location)
    if not path.is_file():
        hint = f"no model results at {os.path.normpath(path)}"
        if path.name == "results.json" and source.kind != "plant":
            hint += f": run `ecocity assess {os.path.normpath(path.parent.parent)}` first"
        return IndicatorValue(spec, year, None, "missing", hint, None, None)
    document = _read(path, spec, folder)
    try:
        value, where = model_value(source, document)
    except KeyError as err:
        raise InputError(f"{err.args[0]} ({path})", file=folder / INDICATORS_FILE, record=spec.id,
                         field="from.indicator") from err
    created = document.get("created_utc") or ""
    detail = f"{path.name}: {where}" + (f", {created[:10]}" if created else "")
    return IndicatorValue(spec, year, value, "model", detail, *_compare(spec, value))


def indicator_values(records: ProgrammeRecords, year: int) -> list[IndicatorValue]:
    """Every indicator of the programme for ``year``, in file order."""
    folder = Path(records.folder)
    return [indicator_value(spec, year, folder) for spec in records.indicators]
