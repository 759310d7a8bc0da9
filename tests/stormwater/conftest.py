"""Fixtures of the SWMM adapter tests."""

from __future__ import annotations

import pandas as pd
import pytest

from ecocity.district.model import District

from .helpers import beijing_like_year, one_hectare


@pytest.fixture
def site() -> District:
    return one_hectare()


@pytest.fixture(scope="session")
def year_rain() -> pd.Series:
    return beijing_like_year()
