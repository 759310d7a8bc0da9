"""Paths of the fixture districts and small editing helpers for the district tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

DISTRICTS = Path(__file__).resolve().parents[1] / "data" / "districts"
LID_TYPES = ("green_roof", "bioretention", "permeable_pavement")


def edit_features(folder: Path, change: Callable[[list[dict[str, Any]]], None]) -> None:
    """Apply ``change`` to the feature list of ``folder/subcatchments.geojson``, in place."""
    path = folder / "subcatchments.geojson"
    collection = json.loads(path.read_text())
    change(collection["features"])
    path.write_text(json.dumps(collection))


def replace_text(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must occur) by ``new`` in the file at ``path``."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))
