"""The annual report's charts, drawn with matplotlib as PNG ``data:`` URIs (HTML and PDF alike).

Activities and participants by month, stacked by kind; progress of each indicator from its
baseline to its target; and the entered values of each indicator over the programme's years
against its target. Call them inside :func:`ecocity.report.static_figures.figure_style`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from ecocity.programme.indicators import IndicatorValue
from ecocity.programme.model import ACTIVITY_KINDS, Activity, IndicatorSpec
from ecocity.report.static_figures import FULL_WIDTH_IN, new_figure, to_data_uri

#: Colours of the activity kinds (Okabe–Ito).
KIND_COLOURS = dict(zip(ACTIVITY_KINDS, ("#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9")))
_MET, _NOT_MET, _NONE = "#009E73", "#D55E00", "#999999"


def monthly(activities: list[Activity]) -> dict[str, list[tuple[int, int]]]:
    """(activities, participants) per month 1–12, by kind."""
    table = {kind: [(0, 0) for _ in range(12)] for kind in ACTIVITY_KINDS}
    for a in activities:
        n, people = table[a.kind][a.date.month - 1]
        table[a.kind][a.date.month - 1] = (n + 1, people + a.participants)
    return table


def activities_chart(activities: list[Activity], text: Callable[[str], str], kind_name: Callable[[str], str],
                     month_names: list[str]) -> str:
    """Two panels over the months: number of activities and participants [persons], stacked by kind."""
    table = monthly(activities)
    fig, (top, bottom) = new_figure(3.8, FULL_WIDTH_IN, nrows=2, sharex=True)
    months = list(range(12))
    for ax, index, label in ((top, 0, text("count")), (bottom, 1, text("participants"))):
        base = [0] * 12
        for kind in ACTIVITY_KINDS:
            values = [table[kind][m][index] for m in months]
            if any(values):
                ax.bar(months, values, bottom=base, color=KIND_COLOURS[kind], width=0.7,
                       label=kind_name(kind) if index == 0 else None)
                base = [b + v for b, v in zip(base, values)]
        ax.set_ylabel(label)
        ax.yaxis.get_major_locator().set_params(integer=True)
    bottom.set_xticks(months, month_names)
    top.set_title(text("activities_by_month"))
    top.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_data_uri(fig)


def progress_chart(values: list[IndicatorValue], name: Callable[[IndicatorSpec], str], text: Callable[[str], str]) -> str:
    """Horizontal bars of each indicator's progress from baseline (0 %) to target (100 %)."""
    shown = [v for v in values if v.progress is not None]
    fig, ax = new_figure(1.0 + 0.5 * max(len(shown), 1))
    labels = [textwrap.fill(f"{v.spec.sdg}  {name(v.spec)}", 44 if name(v.spec).isascii() else 24) for v in shown]
    progress = [100.0 * v.progress for v in shown]
    colours = [_MET if v.met else _NOT_MET if v.met is False else _NONE for v in shown]
    ax.barh(range(len(shown)), progress, color=colours, height=0.6)
    for y, p in enumerate(progress):
        ax.text(max(p, 0) + 2, y, f"{p:.0f} %", va="center", fontsize=7)
    ax.axvline(100.0, color="#444", ls="--", lw=1)
    ax.set_yticks(range(len(shown)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(min(0.0, *progress, 0.0) - 5, max(110.0, *(p + 20 for p in progress)))
    ax.set_xlabel(text("progress_axis"))
    fig.suptitle(text("progress_chart"), x=0.0, ha="left", fontsize=10)
    ax.grid(axis="y", visible=False)
    return to_data_uri(fig)


def trend_chart(specs: list[IndicatorSpec], year: int, name: Callable[[IndicatorSpec], str],
                text: Callable[[str], str]) -> str | None:
    """Small multiples: each entered indicator's values up to ``year`` against baseline and target."""
    shown = [s for s in specs if s.from_ is None and any(y <= year for y in s.values)]
    if not shown:
        return None
    cols = min(3, len(shown))
    rows = -(-len(shown) // cols)
    fig, axes = new_figure(2.2 * rows + 0.3, FULL_WIDTH_IN, nrows=rows, ncols=cols, squeeze=False)
    for ax in axes.flat[len(shown):]:
        ax.set_visible(False)
    for ax, spec in zip(axes.flat, shown):
        scale, unit = (100.0, "%") if spec.unit == "-" else (1.0, spec.unit)  # a share is drawn in %
        years = sorted(y for y in spec.values if y <= year)
        ax.plot(years, [scale * spec.values[y] for y in years], "o-", color="#0072B2", lw=1.5, ms=4)
        if spec.target is not None:
            ax.axhline(scale * spec.target, color=_NOT_MET, ls="--", lw=1)
        if spec.baseline is not None:
            ax.axhline(scale * spec.baseline, color=_NONE, ls=":", lw=1)
        title = f"{spec.sdg} {name(spec)}"
        ax.set_title(textwrap.fill(title, 34 if title.isascii() else 18), fontsize=7)
        ax.set_ylabel(unit, fontsize=7)
        ax.tick_params(labelsize=6)
        ax.set_xticks(years)
    fig.suptitle(text("trend_chart"), x=0.0, ha="left", fontsize=10)
    return to_data_uri(fig)
