"""Reading ``scenarios/*.toml``: one scenario per file, a list of ``[[measure]]`` tables.

A measure is sized by exactly one of ``area_m2``, ``share_of_cover`` or ``treated_share``, or
by a human ``rule`` such as ``"40 % of roofs"`` (→ ``on = "roof"``, ``share_of_cover = 0.4``).
See ``docs/district-format.md``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from ecocity.district.files import read_toml, reject_unknown_keys, require_table, validated
from ecocity.district.model import BASELINE, Measure, Placement, Scenario, Subcatchment
from ecocity.errors import InputError

SCENARIO_KEYS = frozenset({"name", "description", "measure"})
MEASURE_KEYS = frozenset({*Measure.model_fields, "rule"})
RULE_SIZES = ("on", "area_m2", "share_of_cover", "treated_share")

_COVER_WORDS: dict[str, Placement] = {
    "roof": "roof", "roofs": "roof",
    "road": "road", "roads": "road",
    "paved": "paved",
    "green": "green",
    "impervious": "impervious",
}
_RULE = re.compile(
    r"^\s*(?:(?P<percent>\d+(?:\.\d*)?|\.\d+)\s*%\s*of|(?P<all>all))\s+(?P<cover>[a-z]+)\s*$",
    re.IGNORECASE,
)


def parse_rule(rule: str) -> tuple[Placement, float]:
    """The land cover and share of it that a rule names: ``"40 % of roofs"`` → ``("roof", 0.4)``.

    Accepted: ``"<p> % of <cover>"`` (0 < p ≤ 100, the space before % optional) and
    ``"all <cover>"``, with cover one of roof(s), road(s), paved, green, impervious; case is
    ignored.

    Raises
    ------
    ValueError
        If the rule has another form, names another cover, or the share is outside (0, 100] %.
    """
    match = _RULE.match(rule)
    cover = _COVER_WORDS.get(match.group("cover").lower()) if match else None
    if match is None or cover is None:
        raise ValueError(
            f"cannot read rule {rule!r}; write e.g. \"40 % of roofs\" or \"all green\" "
            f"(covers: {', '.join(sorted(set(_COVER_WORDS.values())))})"
        )
    share = 1.0 if match.group("all") else float(match.group("percent")) / 100.0
    if not 0.0 < share <= 1.0:
        raise ValueError(f"rule {rule!r}: the share must be above 0 % and at most 100 %")
    return cover, share


def read_scenarios(
    folder: Path, subcatchments: Collection[Subcatchment], lid_types: Collection[str] | None
) -> tuple[Scenario, ...]:
    """The scenarios of ``folder/*.toml`` in file-name order (none if the folder is absent).

    Raises
    ------
    InputError
        Naming the scenario file, ``measure[i]`` (counted from 0) and the field; also for two
        scenarios of the same name and for the reserved name ``baseline``.
    """
    if not folder.is_dir():
        return ()
    scenarios: list[Scenario] = []
    files_by_name: dict[str, Path] = {}
    for path in sorted(folder.glob("*.toml")):
        scenario = read_scenario(path, subcatchments, lid_types)
        if scenario.name in files_by_name:
            raise InputError(
                f"scenario name {scenario.name!r} is already used by {files_by_name[scenario.name].name}",
                file=path, field="name",
            )
        files_by_name[scenario.name] = path
        scenarios.append(scenario)
    return tuple(scenarios)


def read_scenario(
    path: Path, subcatchments: Collection[Subcatchment], lid_types: Collection[str] | None
) -> Scenario:
    """One scenario file; its name defaults to the file's stem."""
    table = read_toml(path)
    reject_unknown_keys(table, SCENARIO_KEYS, file=path, record=None)
    name = table.get("name", path.stem)
    if isinstance(name, str) and name.strip().lower() == BASELINE.name:
        raise InputError(
            f"{BASELINE.name!r} is reserved for the district without measures; choose another name",
            file=path, field="name",
        )
    raw_measures = table.get("measure", [])
    if not isinstance(raw_measures, list):
        raise InputError("expected [[measure]] tables", file=path, field="measure")
    measures = tuple(
        measure_from_table(raw, subcatchments, lid_types, file=path, record=f"measure[{index}]")
        for index, raw in enumerate(raw_measures)
    )
    data = {"name": name, "description": table.get("description", ""), "measures": measures}
    return validated(Scenario, data, file=path, record=None)


def measure_from_table(
    raw: Any,
    subcatchments: Collection[Subcatchment],
    lid_types: Collection[str] | None,
    *,
    file: Path,
    record: str,
) -> Measure:
    """One ``[[measure]]`` table as a Measure, checked against the district and the LID types."""
    table = dict(require_table(raw, file=file, record=record))
    reject_unknown_keys(table, MEASURE_KEYS, file=file, record=record)
    if "rule" in table:
        table.update(_rule_fields(table, file=file, record=record))
    if "design" in table:
        design = require_table(table["design"], file=file, record=record, field="design")
        table["design"] = _flatten(design)
    measure = validated(
        Measure, table, file=file, record=record, whole_field="area_m2|share_of_cover|treated_share"
    )
    if lid_types is not None and measure.lid not in lid_types:
        raise InputError(
            f"unknown LID type {measure.lid!r}; known types: {', '.join(sorted(lid_types))}",
            file=file, record=record, field="lid",
        )
    _check_places(measure, subcatchments, file=file, record=record)
    return measure


def _rule_fields(table: dict[str, Any], *, file: Path, record: str) -> dict[str, Any]:
    rule = table.pop("rule")
    clash = [key for key in RULE_SIZES if key in table]
    if clash:
        raise InputError(
            f"a rule sets 'on' and 'share_of_cover'; remove {', '.join(clash)} or the rule",
            file=file, record=record, field="rule",
        )
    if not isinstance(rule, str):
        raise InputError(f"expected a rule text such as \"40 % of roofs\", got {rule!r}",
                         file=file, record=record, field="rule")
    try:
        cover, share = parse_rule(rule)
    except ValueError as err:
        raise InputError(str(err), file=file, record=record, field="rule") from err
    return {"on": cover, "share_of_cover": share}


def _flatten(design: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"surface": {"berm_height": 150}}`` → ``{"surface.berm_height": 150}``."""
    flat: dict[str, Any] = {}
    for key, value in design.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _check_places(measure: Measure, subcatchments: Collection[Subcatchment], *, file: Path, record: str) -> None:
    ids = {s.id for s in subcatchments}
    sub_areas = {s.sub_area for s in subcatchments}
    places = (("subcatchments", measure.subcatchments, ids), ("sub_areas", measure.sub_areas, sub_areas))
    for field, names, known in places:
        for name in names:
            if name not in known:
                raise InputError(
                    f"unknown {field.rstrip('s').replace('_', '-')} {name!r}; known: {', '.join(sorted(known))}",
                    file=file, record=record, field=field,
                )
    chosen = [
        s for s in subcatchments
        if (not measure.subcatchments or s.id in measure.subcatchments)
        and (not measure.sub_areas or s.sub_area in measure.sub_areas)
    ]
    if not chosen:
        raise InputError(
            "the listed subcatchments lie in none of the listed sub_areas: the measure is nowhere",
            file=file, record=record, field="sub_areas",
        )
