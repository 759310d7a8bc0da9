"""The district report as a PDF: the HTML report with static figures, typeset by WeasyPrint.

WeasyPrint runs no JavaScript, so the plotly charts are replaced by matplotlib drawings of the
same data (:mod:`~ecocity.report.static_figures`) and a print stylesheet gives A4 pages, a
running header, page numbers and a table of contents with page numbers
(``templates/_print.html``). Chinese text is set in Noto Sans CJK SC (fontconfig finds it by
its family name); see ``docs/report.md`` for installing the fonts.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ecocity.report.render import report_html

PDF_FILE_NAME = "report.pdf"


def typeset(html: str):
    """A self-contained HTML document (images as ``data:`` URIs) laid out in pages: a
    ``weasyprint.Document`` (its ``pages`` and ``write_pdf()``)."""
    import weasyprint

    # WeasyPrint logs every CSS property it ignores (screen-only rules of the shared
    # stylesheet); they are expected here, not problems of the user's input.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return weasyprint.HTML(string=html).render()


def html_to_pdf(html: str) -> bytes:
    """A self-contained HTML document (images as ``data:`` URIs) typeset as PDF bytes."""
    return typeset(html).write_pdf()


def report_pdf(results: dict, *, language: str = "en") -> bytes:
    """The district report for ``results`` as PDF bytes (see :func:`ecocity.report.report_html`).

    Raises
    ------
    InputError
        If ``results`` has no scenarios, a scenario has no name, or the language is unknown.
    """
    return html_to_pdf(report_html(results, language=language, static=True))


def render_pdf(results: dict, path: Path, *, language: str = "en") -> Path:
    """Write the district report of ``results`` as a PDF file; in ``path`` if it is a folder
    (as ``report.pdf``). Missing parent folders are created. Returns the file written."""
    path = Path(path)
    target = path / PDF_FILE_NAME if path.is_dir() else path
    data = report_pdf(results, language=language)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target
