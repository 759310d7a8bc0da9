"""Fixtures of the programme tests: a small programme folder under tmp_path, and the results
document it links to (tests/report/data/results_small.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from programme_data import REPORT_DATA, write_programme


@pytest.fixture
def programme_dir(tmp_path: Path) -> Path:
    return write_programme(tmp_path / "prog")


@pytest.fixture
def results_small() -> dict:
    return json.loads((REPORT_DATA / "results_small.json").read_text(encoding="utf-8"))
