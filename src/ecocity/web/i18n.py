"""Translations and locale formatting of the dashboard.

Messages live in gettext PO files, ``locale/<lang>/LC_MESSAGES/*.po``; every PO file of a
language is read (Babel's ``read_po``) and merged, so each page set can keep its own file.
Indicator names and units are not repeated here: they come from the report's
``labels.toml`` through :class:`ecocity.report.labels.Labels`.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources
from typing import Any

from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
DASH = "—"
_BABEL_LOCALE = {"en": "en_GB", "zh": "zh_Hans_CN"}


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """msgid → msgstr of every PO file of ``lang`` (empty translations left out)."""
    folder = resources.files("ecocity.web").joinpath("locale", lang, "LC_MESSAGES")
    messages: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".po"):
            continue
        with entry.open("rb") as stream:
            for message in read_po(stream, locale=lang):
                if message.id and isinstance(message.id, str) and message.string:
                    messages[message.id] = str(message.string)
    return messages


def translate(message: str, lang: str, **values: Any) -> str:
    """``message`` in ``lang`` (the message itself when untranslated), ``values`` filled in."""
    text = catalogue(lang).get(message, message) if lang in LANGUAGES else message
    return text.format(**values) if values else text


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def fmt_number(value: float | None, lang: str, digits: int = 0) -> str:
    """A number with the locale's grouping and ``digits`` decimals; "—" when missing."""
    if _missing(value):
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=_BABEL_LOCALE.get(lang, "en_GB"))


def fmt_percent(value: float | None, lang: str, digits: int = 1) -> str:
    """A ratio in [-] as a percentage with ``digits`` decimals; "—" when missing."""
    if _missing(value):
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + " %"
    return format_percent(value, format=pattern, locale=_BABEL_LOCALE.get(lang, "en_GB"))


def pick_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    """The page language: ``?lang=``, then the ``lang`` cookie, then Accept-Language."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE
