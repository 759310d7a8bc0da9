"""What makes a run reproducible: a hash of its inputs and the versions of the code.

``hash_inputs`` turns validated input objects (pydantic models, dataclasses, dicts, plain
values) and the contents of referenced files into one sha256 hex digest. The digest depends
only on *what* the inputs say, never on dict ordering, the process, or where the district
folder lies on disk; one changed byte in a referenced file changes it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import json
import platform
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel

import ecocity
from ecocity.errors import InputError

HASH_SCHEME = "ecocity-inputs-v1"
"""Tag hashed in front of every canonical form; bump it when the canonical form changes."""

LIBRARIES = ("numpy", "pandas", "scipy")
"""Libraries whose versions every run records besides ecocity's and Python's."""

_CHUNK_BYTES = 1 << 20


def hash_inputs(*objects: Any, files: Iterable[str | Path] = ()) -> str:
    """The sha256 hex digest of a run's inputs.

    Parameters
    ----------
    *objects
        Input objects: pydantic models, dataclasses, mappings with string keys, lists,
        tuples, sets, strings, numbers, booleans, None, dates, enums. A ``Path`` among them
        stands for its file's (or folder's) contents, like an entry of ``files``.
    files
        Files or folders whose contents the run reads. A file counts by its name and
        contents; a folder by every file under it (relative path and contents). Absolute
        locations do not count, so moving a district folder keeps its hash.

    Returns
    -------
    str
        64 lowercase hex characters.

    Raises
    ------
    InputError
        A referenced file or folder does not exist.
    TypeError
        An object of a type with no canonical form (the message names the type).

    Examples
    --------
    >>> hash_inputs({"a": 1, "b": 2}) == hash_inputs({"b": 2, "a": 1})
    True
    """
    canonical = {
        "scheme": HASH_SCHEME,
        "objects": [_canonical(obj) for obj in objects],
        "files": sorted((_file_entries(Path(path)) for path in files), key=_json_key),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def versions(engines: Mapping[str, str] | None = None) -> dict[str, str]:
    """The versions a run depends on: ecocity, Python, the numeric libraries, the engines.

    Parameters
    ----------
    engines
        Versions of the external engines the run used, by engine name, e.g.
        ``{"swmm": "5.2.4"}``; the caller knows which engines it ran.

    Returns
    -------
    dict
        ``{"ecocity": ..., "python": ..., "numpy": ..., "pandas": ..., "scipy": ..., **engines}``.

    Raises
    ------
    ValueError
        An engine name collides with a recorded library name.
    """
    found = {"ecocity": ecocity.__version__, "ecocity_code": code_digest(), "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    for name, version in (engines or {}).items():
        if name in found:
            raise ValueError(f"engine name {name!r} collides with a recorded library version")
        found[name] = str(version)
    return found


_CODE_SUFFIXES = (".py", ".toml", ".csv", ".json", ".html", ".js")


@functools.cache
def code_digest() -> str:
    """sha256 (first 16 hex digits) of ecocity's own source and data files.

    The version number alone does not change while the code is developed; this digest does,
    so a stored result is never reused after the models or their shipped parameters changed.
    """
    root = Path(ecocity.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in _CODE_SUFFIXES and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode("utf-8"))
        digest.update(_file_digest(path).encode("ascii"))
    return digest.hexdigest()[:16]


def _canonical(obj: Any) -> Any:
    """A JSON-able, order-independent form of ``obj``."""
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        # repr round-trips exactly; JSON has no NaN/inf, so spell them out.
        return obj if obj == obj and abs(obj) != float("inf") else {"float": repr(obj)}
    if isinstance(obj, enum.Enum):
        return {"enum": f"{type(obj).__qualname__}.{obj.name}"}
    if isinstance(obj, Path):
        return {"file": _file_entries(obj)}
    if isinstance(obj, BaseModel):  # python mode keeps Path fields, which count by content
        return {"model": _type_name(obj), "fields": _canonical(obj.model_dump())}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        return {"dataclass": _type_name(obj), "fields": _canonical(fields)}
    if isinstance(obj, Mapping):
        bad = [key for key in obj if not isinstance(key, str)]
        if bad:
            raise TypeError(f"hash_inputs needs string keys in mappings, got {bad[0]!r}")
        return {"map": {key: _canonical(value) for key, value in obj.items()}}
    if isinstance(obj, (list, tuple)):
        return [_canonical(item) for item in obj]
    if isinstance(obj, (set, frozenset)):
        items = [_canonical(item) for item in obj]
        return {"set": sorted(items, key=_json_key)}
    if isinstance(obj, (dt.datetime, dt.date, dt.time)):
        return {"time": obj.isoformat()}
    raise TypeError(
        f"hash_inputs has no canonical form for {_type_name(obj)}; pass a pydantic model, "
        "a dataclass, a mapping, a sequence or plain values, and files through files="
    )


def _json_key(item: Any) -> str:
    return json.dumps(item, sort_keys=True)


def _type_name(obj: Any) -> str:
    kind = type(obj)
    return f"{kind.__module__}.{kind.__qualname__}"


def _file_entries(path: Path) -> dict[str, Any]:
    """Name and content digest of a file, or of every file under a folder."""
    if path.is_file():
        return {"name": path.name, "sha256": _file_digest(path)}
    if path.is_dir():
        members = sorted(p for p in path.rglob("*") if p.is_file())
        return {
            "folder": path.name,
            "files": [[p.relative_to(path).as_posix(), _file_digest(p)] for p in members],
        }
    raise InputError("input file or folder does not exist", file=path)


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK_BYTES):
                digest.update(chunk)
    except OSError as err:
        raise InputError(f"cannot read input file: {err.strerror}", file=path) from err
    return digest.hexdigest()
