"""Dates, numbers, State and language names in the document's language (CLDR through Babel).

Pure functions of their arguments (no database): a document renders the same anywhere.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

import pycountry
from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

# UN English writes "1 March 2025"; Chinese is Simplified. Every locale here uses Western digits.
_LOCALES = {"ar": "ar", "zh": "zh_Hans_CN", "en": "en_GB", "fr": "fr", "ru": "ru", "es": "es"}
# Word's w:lang and HTML's lang for each document language.
LANGUAGE_TAGS = {"ar": "ar-SA", "zh": "zh-CN", "en": "en-GB", "fr": "fr-FR", "ru": "ru-RU", "es": "es-ES"}
# Codes in the vocabulary that are not ISO 3166-1 States but have a CLDR territory name.
_TERRITORY_ALIASES = {"EUU": "EU"}


@lru_cache(maxsize=8)
def _locale(lang: str) -> Locale:
    return Locale.parse(_LOCALES[lang])


def format_date(value: dt.date | None, lang: str) -> str:
    return "" if value is None else babel_format_date(value, format="long", locale=_locale(lang))


def format_number(value: Decimal, lang: str) -> str:
    return format_decimal(value, locale=_locale(lang), numbering_system="latn")


def format_money(value: Decimal, currency: str | None, lang: str) -> str:
    amount = format_decimal(value, format="#,##0.00", locale=_locale(lang), numbering_system="latn")
    return f"{amount} {currency}" if currency else amount


@lru_cache(maxsize=2048)
def state_name(code: str, lang: str) -> str:
    """The State's short name in `lang` (CLDR), or the code itself when unknown."""
    alpha2 = _TERRITORY_ALIASES.get(code)
    if alpha2 is None:
        country = pycountry.countries.get(alpha_3=code)
        alpha2 = country.alpha_2 if country is not None else None
    if alpha2 is None:
        return code
    name = _locale(lang).territories.get(alpha2)
    return str(name) if name else code


@lru_cache(maxsize=1024)
def language_name(code: str, lang: str) -> str:
    """The language's name in `lang` (CLDR), or the code itself when unknown."""
    name = _locale(lang).languages.get(code)
    return str(name) if name else code
