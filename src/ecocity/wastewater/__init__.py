"""Wastewater treatment: ASM1, the Takács settler, plant layouts (BSM1) and their simulation.

Pure rate functions live in :mod:`~ecocity.wastewater.asm1` and
:mod:`~ecocity.wastewater.settler`; plant layouts (thin pydantic containers) in
:mod:`~ecocity.wastewater.layout`; the ODE solver sits behind
:mod:`~ecocity.wastewater.simulate` only.
"""
