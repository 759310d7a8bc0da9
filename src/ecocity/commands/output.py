"""Shared output helpers for CLI commands: JSON on stdout, human output through rich."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from rich.console import Console

console = Console(stderr=False)
# Tables sent to a file or a pipe get room for one column per scenario instead of rich's 80.
table_console = console if console.is_terminal else Console(stderr=False, width=160)
err_console = Console(stderr=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _jsonable(value.item())
    return value


def print_json(payload: dict[str, Any]) -> None:
    """Print ``payload`` as JSON on stdout (NaN/inf become null)."""
    print(json.dumps(_jsonable(payload), ensure_ascii=False, indent=2))
