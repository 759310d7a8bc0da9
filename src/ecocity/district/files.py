"""Reading the district folder's files, and turning their problems into :class:`InputError`.

Helpers shared by the loader's modules: read a TOML file, reject unknown keys, check a value's
type, and map a pydantic ``ValidationError`` to one ``InputError`` naming file, record, field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ecocity.errors import InputError

M = TypeVar("M", bound=BaseModel)


def read_text(path: Path) -> str:
    """A UTF-8 text file's content; a missing or unreadable file is an InputError naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise InputError("file not found", file=path) from err
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read the file ({err})", file=path) from err


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a missing file or a syntax error is an InputError naming the line."""
    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"TOML syntax error: {err}", file=path) from err


def reject_unknown_keys(
    table: Mapping[str, Any], allowed: Collection[str], *, file: Path, record: str | None
) -> None:
    """Raise InputError for the first key of ``table`` not in ``allowed`` (a typo must not pass)."""
    for key in table:
        if key not in allowed:
            raise InputError(
                f"unknown key; expected one of: {', '.join(sorted(allowed))}",
                file=file,
                record=record,
                field=key,
            )


def require_table(
    value: Any, *, file: Path, record: str | None, field: str | None = None
) -> Mapping[str, Any]:
    """``value`` if it is a table (mapping), else InputError."""
    if not isinstance(value, Mapping):
        raise InputError(f"expected a table, got {value!r}", file=file, record=record, field=field)
    return value


def validated(
    model: type[M],
    data: Mapping[str, Any],
    *,
    file: Path,
    record: str | None,
    field_names: Mapping[str, str] | None = None,
    whole_field: str | None = None,
) -> M:
    """``model.model_validate(data, strict=True)``, its ValidationError raised as one InputError.

    Strict: a string is not a number and ``true`` is not 1 (TOML and JSON have real types);
    arrays are taken as tuples.

    The first error's location becomes the field, renamed through ``field_names`` (model name →
    file name, e.g. ``land_cover.roof`` → ``roof``); an error about the whole object (a model
    validator, location empty) is reported on ``whole_field``.
    """
    try:
        return model.model_validate(_lists_as_tuples(data), strict=True)
    except ValidationError as err:
        raise input_error_from_validation(
            err, file=file, record=record, field_names=field_names, whole_field=whole_field
        ) from err


def input_error_from_validation(
    err: ValidationError,
    *,
    file: Path,
    record: str | None,
    field_names: Mapping[str, str] | None = None,
    whole_field: str | None = None,
) -> InputError:
    """The InputError for a pydantic ValidationError: its first error's location is the field."""
    first = err.errors(include_url=False)[0]
    loc = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if loc:
        message += f" (got {first['input']!r})"
        field = (field_names or {}).get(loc, loc)
    else:
        field = whole_field
    return InputError(message, file=file, record=record, field=field)


def _lists_as_tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_lists_as_tuples(item) for item in value)
    if isinstance(value, Mapping):
        return {key: _lists_as_tuples(item) for key, item in value.items()}
    return value
