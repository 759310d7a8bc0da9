"""The cooperation's programme records and its annual results report.

A programme folder (``docs/programme-format.md``) holds the programme, its partners, its
activities and its indicators linked to SDG targets; :func:`load_programme` reads and checks
it, :func:`indicator_values` gives the indicators of a year (entered, or read from model
results), :func:`write_report` writes the annual report as HTML or PDF in English or 中文.
"""

from ecocity.programme.indicators import indicator_values
from ecocity.programme.load import load_programme
from ecocity.programme.report import write_report

__all__ = ["indicator_values", "load_programme", "write_report"]
