"""Which language a request is written in, and which passages need translating (art. 18(14)).

A requested State accepts requests in the languages it declared to the Secretary-General (18(14));
Comity writes the fixed text in the six UN languages only. The caller picks the document language;
`choose_document_language` gives the sensible default, and `translation_language` tells whether the
passages the user typed must be marked "[translation required: xx]".
"""

from __future__ import annotations

from collections.abc import Collection

from comity.drafting.documents.texts import UN_LANGUAGES, UnsupportedLanguage


def choose_document_language(requested_languages: list[str], preferred: str) -> tuple[str, bool]:
    """(language to write in, whether a translation is needed) for a requested State.

    `preferred` (one of the six UN languages) if the requested State accepts it; else the first UN
    language it accepts; else `preferred`, flagged: the whole request must then be translated into
    a language the State accepts. An empty list means the accepted languages are not known: the
    preferred language, not flagged (the completeness checker reports the unknown).
    """
    if preferred not in UN_LANGUAGES:
        raise UnsupportedLanguage(preferred)
    if not requested_languages or preferred in requested_languages:
        return preferred, False
    for language in requested_languages:
        if language in UN_LANGUAGES:
            return language, False
    return preferred, True


def translation_language(
    *, text_language: str | None, document_language: str, accepted: Collection[str] | None
) -> str | None:
    """The language of the typed passages when they must be marked for translation, else None.

    They need one when typed in a language other than the document's that the requested State does
    not accept (`accepted` None or empty: not known, so any other language is marked).
    """
    if text_language is None or text_language == document_language:
        return None
    if accepted and text_language in accepted:
        return None
    return text_language


def directory_languages(state: str) -> list[str]:
    """The languages the requested State accepts, from the directory (18(14) declaration, else its
    MLA central authority's languages); [] when none is recorded. Reads the cached facts snapshot."""
    from comity.directory.legal_basis import load_facts

    facts = load_facts()
    declared = facts.declared_languages.get(state, ())
    if declared:
        return list(declared)
    languages: list[str] = []
    for authority in facts.central_authorities.get(state, ()):
        languages.extend(code for code in authority.languages if code not in languages)
    return languages
