"""Message catalogues (every template message has a Chinese translation), locale formats, and
the vendored JavaScript (present, pinned, checksummed, no CDN)."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

import pytest

from ecocity.web import i18n

WEB = Path(str(resources.files("ecocity.web")))
# _("...") or _('...') in a template (backslash escapes allowed), keyword values may follow.
MESSAGE = re.compile(r"""\b_\(\s*(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>(?:[^'\\]|\\.)*)')\s*[,)]""")


def _template_messages() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((WEB / "templates").glob("*.html")):
        for match in MESSAGE.finditer(path.read_text(encoding="utf-8")):
            raw = match["dq"] if match["dq"] is not None else match["sq"]
            found.setdefault(re.sub(r"\\(.)", r"\1", raw), set()).add(path.name)
    return found


def test_templates_use_messages():
    assert len(_template_messages()) > 40


def test_every_template_message_has_a_chinese_translation():
    chinese = i18n.catalogue("zh")
    missing = {msg: sorted(files) for msg, files in _template_messages().items() if msg not in chinese}
    assert missing == {}


def test_every_catalogue_of_a_language_is_merged():
    folder = WEB / "locale" / "zh" / "LC_MESSAGES"
    assert (folder / "messages.po").is_file()
    assert i18n.catalogue("zh")["Districts"] == "片区"


def test_translation_falls_back_to_the_message():
    assert i18n.translate("Districts", "en") == "Districts"
    assert i18n.translate("no such message", "zh") == "no such message"


@pytest.mark.parametrize(("lang", "expected"), [("en", "1,234,567.9"), ("zh", "1,234,567.9")])
def test_numbers_are_grouped_per_locale(lang, expected):
    # CLDR: both en-GB and zh-Hans-CN group thousands with "," and use "." as decimal sign
    assert i18n.fmt_number(1234567.89, lang, digits=1) == expected
    assert i18n.fmt_percent(0.8534, lang) == "85.3 %"
    assert i18n.fmt_number(float("nan"), lang) == "—" and i18n.fmt_percent(None, lang) == "—"


def test_language_choice_order():
    assert i18n.pick_language("zh", "en", "en") == "zh"
    assert i18n.pick_language(None, "zh", "en") == "zh"
    assert i18n.pick_language("xx", None, "de-DE,zh-CN;q=0.8") == "zh"
    assert i18n.pick_language(None, None, None) == "en"


def test_templates_load_nothing_from_the_internet():
    for path in list((WEB / "templates").glob("*.html")) + list((WEB / "static").glob("*.js")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), path.name
        assert "cdn" not in text.lower(), path.name


def test_vendored_files_match_their_recorded_checksums():
    vendor = WEB / "static" / "vendor"
    table = (vendor / "VERSIONS.md").read_text(encoding="utf-8")
    recorded = dict((name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", table, re.M))
    assert {"leaflet/leaflet.js", "htmx/htmx.min.js", "plotly/plotly.min.js"} <= set(recorded)
    for name, digest in recorded.items():
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name
    for package in ("leaflet", "htmx", "plotly"):
        assert (vendor / package / "LICENSE").is_file()
    assert "leaflet | 1.9.4" in table and "htmx.org | 2.0.11" in table


def test_pages_reference_the_vendored_scripts(client):
    page = client.get("/login").text
    assert "/static/vendor/htmx/htmx.min.js" in page
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200
