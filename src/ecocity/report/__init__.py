"""The sponge-city assessment report: one self-contained HTML file, in English or 中文.

``render_report(results, path, language="en")`` writes it; the figures
(:mod:`~ecocity.report.figures`, :mod:`~ecocity.report.maps`) and tables
(:mod:`~ecocity.report.tables`) are pure functions of the results dict.
"""

from ecocity.report.render import render_report, report_html

__all__ = ["render_report", "report_html"]
