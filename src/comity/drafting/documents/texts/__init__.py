"""The fixed text of formal requests in the six UN languages: headings, labels and formulas.

Written once per language in the register of the official UN texts of UNTOC, never translated at
run time and never through gettext: a document is in the *document's* language, whatever the
language of the person drafting it. Every language has exactly the same keys (a test holds it).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from comity.drafting.documents.texts import ar, en, es, fr, ru, zh

UN_LANGUAGES: tuple[str, ...] = ("ar", "zh", "en", "fr", "ru", "es")
RTL_LANGUAGES: frozenset[str] = frozenset({"ar"})

TEXTS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "ar": MappingProxyType(ar.TEXT),
        "zh": MappingProxyType(zh.TEXT),
        "en": MappingProxyType(en.TEXT),
        "fr": MappingProxyType(fr.TEXT),
        "ru": MappingProxyType(ru.TEXT),
        "es": MappingProxyType(es.TEXT),
    }
)


class UnsupportedLanguage(ValueError):
    """No fixed text exists in that language (only the six UN languages have one)."""

    def __init__(self, lang: str) -> None:
        super().__init__(f"No fixed text in {lang!r}: use one of {', '.join(UN_LANGUAGES)}.")
        self.lang = lang


class Texts:
    """The fixed text of one language: `t("sec.facts")`, `t("field.offence", n=2)`."""

    __slots__ = ("lang", "rtl", "table")

    def __init__(self, lang: str) -> None:
        if lang not in TEXTS:
            raise UnsupportedLanguage(lang)
        self.lang = lang
        self.rtl = lang in RTL_LANGUAGES
        self.table = TEXTS[lang]

    def __call__(self, key: str, **values: object) -> str:
        template = self.table[key]
        return template.format(**values) if values else template

    def join(self, items: list[str], *, list_separator: bool = False) -> str:
        """Items joined with the language's enumeration comma (or its list separator)."""
        return self.table["punct.list" if list_separator else "punct.and"].join(items)


__all__ = ["RTL_LANGUAGES", "TEXTS", "UN_LANGUAGES", "Texts", "UnsupportedLanguage"]
