"""Copies of the fixture districts under tmp_path, to break one thing at a time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import DISTRICTS


@pytest.fixture
def small_copy(tmp_path: Path) -> Path:
    """A fresh copy of the ``small`` fixture district under tmp_path."""
    return Path(shutil.copytree(DISTRICTS / "small", tmp_path / "small"))


@pytest.fixture
def network_copy(tmp_path: Path) -> Path:
    """A fresh copy of the ``small_network`` fixture district under tmp_path."""
    return Path(shutil.copytree(DISTRICTS / "small_network", tmp_path / "small_network"))
