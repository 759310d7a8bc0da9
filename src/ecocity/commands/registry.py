"""Attach every area's command group to the ``ecocity`` app.

Each area's commands live in their own module under ``ecocity.commands`` and expose
``app`` (a typer group) or ``register(app)``.
"""

from __future__ import annotations

import importlib

import typer

GROUPS: tuple[tuple[str, str, str], ...] = (
    # (module, group name, help)
    ("ecocity.commands.rain", "rain", "Rainfall: capture-ratio curve, design storms, synthetic series."),
    ("ecocity.commands.sponge", "sponge", "Sponge city on the SWMM engine: run, export, import."),
    ("ecocity.commands.wastewater", "wastewater", "Wastewater treatment (ASM1, BSM1): simulate a plant, compare variants."),
    ("ecocity.commands.buildings", "buildings", "Buildings energy: CalTRACK baselines, savings, portfolio ranking."),
    ("ecocity.commands.users", "users", "Dashboard users: add one (viewer, editor, admin), list them."),
    ("ecocity.commands.db", "db", "The store's database: upgrade its schema (Alembic migrations)."),
    ("ecocity.commands.programme", "programme", "The cooperation's programme records: check them, write the annual results report."),
)
COMMANDS: tuple[str, ...] = ("ecocity.commands.assess", "ecocity.commands.web", "ecocity.commands.report")


def register(app: typer.Typer) -> None:
    for module_name, name, help_text in GROUPS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name == module_name:
                continue  # area not built yet
            raise
        app.add_typer(module.app, name=name, help=help_text)
    for module_name in COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name == module_name:
                continue
            raise
        module.register(app)
