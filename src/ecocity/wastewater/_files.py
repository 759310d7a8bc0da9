"""Reading the wastewater area's TOML inputs: a shipped preset by name, or a user's file."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from ecocity.errors import InputError


def read_preset_or_file(name_or_path: str | Path, presets: tuple[str, ...], file_name: str, what: str) -> tuple[Path, dict[str, Any]]:
    """The path and parsed content of a preset (``data/<file_name with {name}>``) or a TOML file.

    Raises
    ------
    InputError
        No such file, or a file that cannot be read or is not TOML (naming it).
    """
    if isinstance(name_or_path, str) and name_or_path in presets:
        path = Path(str(resources.files("ecocity.wastewater").joinpath("data", file_name.format(name=name_or_path))))
    else:
        path = Path(name_or_path)
    try:
        return path, tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise InputError(f"no such {what} file; expected a TOML path or one of {', '.join(presets)}", file=path) from err
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise InputError(f"cannot read the {what} file ({err})", file=path) from err
