"""Response and request models of the JSON API (they document ``/openapi.json``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ecocity.web.results import DistrictInfo

__all__ = ["DistrictInfo"]


class Me(BaseModel):
    """The user of the request."""

    username: str
    role: Literal["viewer", "editor", "admin"]
    created_at: dt.datetime


class Token(BaseModel):
    """A bearer token for ``Authorization: Bearer <access_token>``."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Life of the token. [s]")


class TokenRequest(BaseModel):
    """User name and password."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class IndicatorOut(BaseModel):
    """One indicator of a scenario, with its target and whether it is met."""

    name: str
    label: str
    value: float | None
    unit: str
    scope: str
    target: float | None = None
    passed: bool | None = None


class ScenarioSummary(BaseModel):
    """One scenario of the latest results: its run and district-scale indicators."""

    name: str
    description: str = ""
    run_id: str
    cached: bool
    indicators: list[IndicatorOut]


class DistrictDetail(BaseModel):
    """A district and its latest results (None before its first run)."""

    info: DistrictInfo
    area_m2: float | None = None
    n_subcatchments: int | None = None
    created_utc: str | None = None
    scenarios: list[ScenarioSummary] = []
    map_indicators: list[str] = Field(
        default=[], description="Per-subcatchment indicators the map can colour by."
    )


class RunOut(BaseModel):
    """One run of the store: inputs' hash, versions, wall time and status."""

    id: str
    district: str
    scenario: str
    area: str
    input_hash: str
    versions: dict[str, str]
    created_at: dt.datetime
    wall_time_s: float = Field(description="Computation time. [s]")
    status: str


class RunDetail(RunOut):
    """A run and its indicators (complete runs only)."""

    indicators: list[IndicatorOut] = []
    series: list[str] = []


class JobRequest(BaseModel):
    """Start a job: ``assess`` (a district's scenarios), ``plant`` or ``portfolio``."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["assess", "plant", "portfolio"]
    district: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    scenarios: list[str] = Field(default=[], max_length=100, description="Default: all.")
    scenario: str | None = Field(default=None, max_length=255, description="One scenario (added to scenarios).")
    options: dict[str, Any] = Field(default={}, description="assess: years (>0), report; plant: plant, control, days.")


class JobOut(BaseModel):
    """A job's state: queued, running, done, failed or cancelled; progress in [0, 1]."""

    id: str
    kind: str
    district: str
    params: dict[str, Any]
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: float
    message: str = Field(description="In English; `detail` holds the structured form when there is one.")
    username: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    run_ids: list[str]
    detail: dict[str, Any] | None = Field(
        default=None, description='Structured message: {"key": "progress", "step", "done", "total"}, '
        '{"key": "cancelling" | "cancelled", "user"}.')
    cancelled_by: str | None = Field(default=None, description="Who cancelled it (finished_at says when).")
