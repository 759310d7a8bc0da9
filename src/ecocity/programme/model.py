"""The cooperation programme's records as validated containers (pydantic).

A programme folder (``docs/programme-format.md``) holds the programme (name, years,
description, lessons learned per year), its partners, its activities (workshops, site visits,
trainings, conferences, delegations) and its indicators, each linked to an SDG target and
either entered by hand per year or read from a model result. These classes only hold and
check the records; :mod:`~ecocity.programme.load` reads them from files and
:mod:`~ecocity.programme.indicators` resolves the model-linked values.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ACTIVITY_KINDS: tuple[str, ...] = ("workshop", "site_visit", "training", "conference", "delegation")
#: An SDG target or indicator number: goal.target[.indicator], e.g. 6.3, 6.3.1, 11.b, 13.2.1.
SDG_TARGET = re.compile(r"^(?:[1-9]|1[0-7])\.(?:[1-9][0-9]?|[a-z])(?:\.[1-9][0-9]?)?$")
#: Model results an indicator can be read from: the key of ``from`` names the kind.
SOURCE_KINDS: tuple[str, ...] = ("district", "plant", "portfolio")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Bilingual(_Record):
    """A text in English and Chinese."""

    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)


class Partner(_Record):
    """One partner of the cooperation (a row of ``partners.csv``)."""

    name: str = Field(min_length=1)
    name_zh: str = ""
    country: str = Field(min_length=2)
    role: str = Field(min_length=1)
    illustrative: bool = False


class Activity(_Record):
    """One activity (a row of ``activities.csv``): what, when, where, how many people, with whom.

    ``participants`` is the number of people who took part [persons]; ``partners`` are names
    of ``partners.csv``; ``illustrative`` marks a row whose details are not from a source.
    """

    date: dt.date
    kind: Literal["workshop", "site_visit", "training", "conference", "delegation"]
    title: str = Field(min_length=1)
    title_zh: str = Field(min_length=1)
    place: str = Field(min_length=1)
    participants: int = Field(ge=0)
    partners: tuple[str, ...] = ()
    illustrative: bool = False
    source: str = ""


class ModelSource(_Record):
    """Where a model-linked indicator's value comes from.

    Exactly one of ``district``, ``plant`` or ``portfolio`` is set: a district folder (its
    results are ``<folder>/ecocity-out/results.json``) or a results document (a ``.json``
    file), relative to the programme folder. ``indicator`` names the value: a district
    indicator of ``scenario`` (scope ``district``), a plant indicator or energy figure, or a
    portfolio figure (:data:`ecocity.programme.indicators.PORTFOLIO_FIGURES`).
    """

    district: str | None = None
    plant: str | None = None
    portfolio: str | None = None
    indicator: str = Field(min_length=1)
    scenario: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ModelSource:
        named = [k for k in SOURCE_KINDS if getattr(self, k)]
        if len(named) != 1:
            raise ValueError(f"name exactly one of {', '.join(SOURCE_KINDS)} (a district folder or a results "
                             f".json), got {', '.join(named) or 'none'}")
        if self.district and not self.scenario:
            raise ValueError("a district indicator needs the scenario it is read from (scenario = \"...\")")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in SOURCE_KINDS if getattr(self, k))

    @property
    def location(self) -> str:
        return str(getattr(self, self.kind))


class IndicatorSpec(_Record):
    """One indicator of the programme's results framework, linked to an SDG target.

    ``values`` are entered by hand (year → value, in ``unit``); ``from_`` (``from`` in the
    file) reads the value from model results instead. ``higher_is_better`` says which way
    the target points.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    sdg: str
    name: str = Field(min_length=1)
    name_zh: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    baseline: float | None = None
    baseline_year: int | None = None
    target: float | None = None
    target_year: int | None = None
    higher_is_better: bool = True
    values: dict[int, float] = Field(default_factory=dict)
    from_: ModelSource | None = Field(default=None, alias="from")
    illustrative: bool = False
    source: str = ""
    note: str = ""

    @field_validator("sdg")
    @classmethod
    def _sdg(cls, value: str) -> str:
        if not SDG_TARGET.match(value):
            raise ValueError(f"expected an SDG target or indicator such as 6.3.1, 11.b or 13.2, got {value!r}")
        return value

    @model_validator(mode="after")
    def _value_or_model(self) -> IndicatorSpec:
        if self.values and self.from_ is not None:
            raise ValueError("give either values per year or from = {...}, not both")
        if not self.values and self.from_ is None:
            raise ValueError("give values per year (values = {2018 = ...}) or from = {...} (a model result)")
        return self


class Programme(_Record):
    """The programme: what it is, which years it covers, what it learned each year."""

    name: str = Field(min_length=1)
    name_zh: str = Field(min_length=1)
    first_year: int = Field(ge=1990, le=2100)
    last_year: int = Field(ge=1990, le=2100)
    description: Bilingual
    objectives: tuple[Bilingual, ...] = ()
    lessons: dict[int, tuple[Bilingual, ...]] = Field(default_factory=dict)
    illustrative_note: Bilingual | None = None

    @model_validator(mode="after")
    def _years(self) -> Programme:
        if self.last_year < self.first_year:
            raise ValueError(f"last_year {self.last_year} is before first_year {self.first_year}")
        outside = [y for y in self.lessons if not self.first_year <= y <= self.last_year]
        if outside:
            raise ValueError(f"lessons for {outside} fall outside the programme's years "
                             f"{self.first_year}–{self.last_year}")
        return self


class ProgrammeRecords(_Record):
    """Everything a programme folder holds, checked against each other."""

    programme: Programme
    partners: tuple[Partner, ...]
    activities: tuple[Activity, ...]
    indicators: tuple[IndicatorSpec, ...]
    folder: str = ""

    def activities_in(self, year: int) -> list[Activity]:
        """The activities of ``year``, by date."""
        return sorted((a for a in self.activities if a.date.year == year), key=lambda a: a.date)
