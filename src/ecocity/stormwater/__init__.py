"""Sponge city: SWMM model building and running, the LID catalogue.

Public API (loaded on first use, so the SWMM child process imports nothing it does not need):
:func:`simulate`, :func:`build_inp`, :func:`rain_file_text`, :func:`run_swmm`,
:class:`SwmmResult`, :func:`place_measures`, :func:`load_lid`, :func:`lid_type_names`,
:func:`load_soil`, :func:`import_inp`, :func:`export_inp`.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "simulate": "simulation",
    "build_inp": "inp",
    "rain_file_text": "inp",
    "run_swmm": "engine",
    "engine_version": "engine",
    "SwmmResult": "result",
    "place_measures": "placement",
    "load_lid": "catalogue",
    "lid_type_names": "catalogue",
    "load_soil": "catalogue",
    "soil_names": "catalogue",
    "import_inp": "inpio",
    "export_inp": "inpio",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
