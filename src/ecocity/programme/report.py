"""The cooperation's annual results report for one year, as self-contained HTML or as PDF.

Sections: project description and objectives; key activities (table, summary by kind, chart
by month); achievements against the indicators (table against baseline and target with the
SDG targets, progress chart, values over the years); lessons learned; partners; notes and
sources. English or Chinese (``labels.toml`` beside this module). Figures are matplotlib PNGs
in both formats, so the HTML opens offline and the PDF (WeasyPrint, the district report's
print settings) needs no JavaScript.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from ecocity import __version__
from ecocity.errors import InputError
from ecocity.programme import figures
from ecocity.programme.indicators import IndicatorValue, indicator_values
from ecocity.programme.model import ACTIVITY_KINDS, IndicatorSpec, ProgrammeRecords

LANGUAGES = ("en", "zh")
FORMATS = ("html", "pdf")
_MONTHS = {"en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
           "zh": [f"{m}月" for m in range(1, 13)]}


@lru_cache(maxsize=1)
def _labels() -> dict[str, Any]:
    text = resources.files("ecocity.programme").joinpath("labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    # The district report's stylesheet and print stylesheet are shared (ecocity.report's templates).
    loader = jinja2.ChoiceLoader([jinja2.PackageLoader("ecocity.programme", "templates"),
                                  jinja2.PackageLoader("ecocity.report", "templates")])
    return jinja2.Environment(loader=loader, autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


class Words:
    """The report's words in one language."""

    def __init__(self, language: str) -> None:
        if language not in LANGUAGES:
            raise InputError(f"expected en or zh, got {language!r}", field="language")
        self.language = language

    def text(self, key: str, **values: Any) -> str:
        entry = _labels()["text"].get(key)
        template = key if entry is None else entry[self.language]
        return template.format(**values) if values else template

    def kind(self, kind: str) -> str:
        return _labels()["kind"][kind][self.language]

    def pick(self, en: str, zh: str) -> str:
        """The Chinese text in a Chinese report where there is one, else the English."""
        return zh if self.language == "zh" and zh else en

    def indicator(self, spec: IndicatorSpec) -> str:
        return self.pick(spec.name, spec.name_zh)


def format_value(value: float | None, unit: str) -> str:
    """A value as printed: a share (unit ``-``) in %, else with thousands separators and its unit."""
    if value is None:
        return "—"
    if unit == "-":
        return f"{100 * value:.1f} %"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    return f"{text} {unit}"


def _indicator_rows(values: list[IndicatorValue], words: Words) -> list[dict[str, Any]]:
    rows = []
    for v in values:
        s = v.spec
        status = "met" if v.met else "not_met" if v.met is False else "no_target" if s.target is None else "missing"
        rows.append({
            "id": s.id, "sdg": s.sdg, "name": words.indicator(s), "unit": "%" if s.unit == "-" else s.unit,
            "baseline": format_value(s.baseline, s.unit) + (f" ({s.baseline_year})" if s.baseline_year else ""),
            "target": format_value(s.target, s.unit) + (f" ({s.target_year})" if s.target_year else ""),
            "value": format_value(v.value, s.unit),
            "progress": "—" if v.progress is None else f"{100 * v.progress:.0f} %",
            "status": status, "status_text": words.text(status), "origin": words.text(v.origin),
            "detail": v.detail, "illustrative": s.illustrative, "note": s.note,
        })
    return rows


def report_document(records: ProgrammeRecords, year: int, *, language: str = "en", static: bool = False) -> str:
    """The annual report of ``year`` as one HTML document (a string); ``static`` adds the PDF's
    print stylesheet.

    Raises
    ------
    InputError
        If ``year`` is outside the programme's years, the language is unknown, or a linked model
        result does not hold the indicator named.
    """
    from ecocity.report.static_figures import figure_style

    words = Words(language)
    programme = records.programme
    if not programme.first_year <= year <= programme.last_year:
        raise InputError(f"{year} is outside the programme's years {programme.first_year}–{programme.last_year}",
                         field="--year")
    activities = records.activities_in(year)
    values = indicator_values(records, year)
    kinds = Counter(a.kind for a in activities)
    people = Counter()
    for a in activities:
        people[a.kind] += a.participants
    with figure_style(language):
        chart = figures.activities_chart(activities, words.text, words.kind, _MONTHS[language]) if activities else None
        progress = (figures.progress_chart(values, words.indicator, words.text)
                    if any(v.progress is not None for v in values) else None)
        trend = figures.trend_chart(list(records.indicators), year, words.indicator, words.text)
    goals = sorted({v.spec.sdg.split(".")[0] for v in values}, key=int)
    return _environment().get_template("programme.html").render(
        W=words, lang="zh-CN" if language == "zh" else "en", static=static, year=year,
        programme=programme, name=words.pick(programme.name, programme.name_zh),
        description=words.pick(programme.description.en, programme.description.zh),
        objectives=[words.pick(o.en, o.zh) for o in programme.objectives],
        lessons=[words.pick(item.en, item.zh) for item in programme.lessons.get(year, ())],
        activities=activities, kinds=[(k, kinds[k], people[k]) for k in ACTIVITY_KINDS if kinds[k]],
        n_people=sum(a.participants for a in activities), indicators=_indicator_rows(values, words),
        goals=goals, partners=records.partners,
        partner_name={p.name: words.pick(p.name, p.name_zh) for p in records.partners}, chart=chart, progress_chart=progress, trend_chart=trend,
        illustrative_note=(words.pick(programme.illustrative_note.en, programme.illustrative_note.zh)
                           if programme.illustrative_note else ""),
        any_illustrative=any(a.illustrative for a in activities) or any(p.illustrative for p in records.partners)
        or any(v.spec.illustrative for v in values),
        sources=sorted({a.source for a in activities if a.source} | {v.spec.source for v in values if v.spec.source}),
        version=__version__, folder=Path(records.folder).name, results={"ecocity_version": __version__},
    )


def write_report(records: ProgrammeRecords, year: int, path: Path, *, fmt: str = "html",
                 language: str = "en") -> Path:
    """Write the annual report of ``year`` to ``path`` as HTML or PDF; returns the file written."""
    if fmt not in FORMATS:
        raise InputError(f"expected one of {', '.join(FORMATS)}, got {fmt!r}", field="--format")
    html = report_document(records, year, language=language, static=fmt == "pdf")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        from ecocity.report.pdf import html_to_pdf

        path.write_bytes(html_to_pdf(html))
    else:
        path.write_text(html, encoding="utf-8")
    return path
