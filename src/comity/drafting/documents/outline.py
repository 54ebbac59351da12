"""The formal request as an outline: numbered sections of paragraphs, label/value rows and
subheadings, every fixed word already in the document's language. The DOCX and the PDF are two
drawings of the same outline, so they cannot disagree on content or order.

Section order follows practice (and art. 18(15)): references; requesting authority; legal basis;
summary; facts; offences and the law; extradition or confiscation particulars where the request
calls for them; assistance requested and procedure; persons; property; purpose; confidentiality
(18(20)) and use limitation (18(19)); urgency; contact; closing formula; signature; annexes.
A section with nothing to say is left out: whether it *should* say something is the completeness
checker's business, not the writer's.

Passages the user typed in a language the requested State does not accept carry a visible
"[translation required: xx]" note (xx: the language they were typed in).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Collection, Iterable
from typing import ClassVar, Literal

from comity.drafting.documents.language import translation_language
from comity.drafting.documents.localize import (
    LANGUAGE_TAGS,
    format_date,
    format_money,
    format_number,
    language_name,
    state_name,
)
from comity.drafting.documents.texts import Texts
from comity.drafting.schema import (
    AuthorityRef,
    BankDetails,
    DataDetails,
    MeasureRequest,
    RequestDocument,
    TransferDetails,
    VideoconferenceDetails,
    WarrantRef,
)
from comity.vocabulary import LegalBasisKind

EXTRADITION_TYPES = frozenset({"extradition", "provisional_arrest"})
WIDE_VALUE = 240  # characters: about three lines of the value column


@dataclasses.dataclass(frozen=True, slots=True)
class Line:
    """One paragraph of text and its own direction: a passage typed in English inside an Arabic
    document reads left to right (and its full stop stays at its end), and so do numbers."""

    text: str

    @property
    def direction(self) -> str | None:
        return direction(self.text)


@dataclasses.dataclass(frozen=True, slots=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str
    note: str | None = None  # the translation mark, after the passage
    style: Literal["body", "formula"] = "body"  # formula: fixed text (courtesy, 18(19), 18(20))

    @property
    def lines(self) -> list[Line]:
        """The passage's paragraphs (the user's line breaks), never empty."""
        return paragraphs(self.text)


@dataclasses.dataclass(frozen=True, slots=True)
class Field:
    label: str
    value: str
    note: str | None = None

    @property
    def lines(self) -> list[Line]:
        return paragraphs(self.value)

    @property
    def wide(self) -> bool:
        """A passage rather than a value: drawn across the table, under its label."""
        return len(self.value) > WIDE_VALUE or len(self.lines) > 1


@dataclasses.dataclass(frozen=True, slots=True)
class Fields:
    kind: ClassVar[str] = "fields"
    rows: tuple[Field, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Subheading:
    kind: ClassVar[str] = "subheading"
    text: str


Block = Paragraph | Fields | Subheading


@dataclasses.dataclass(frozen=True, slots=True)
class Section:
    key: str  # "facts", "offences", ... (the text key is "sec." + key)
    title: str
    blocks: tuple[Block, ...]
    number: int | None = None

    @property
    def heading(self) -> str:
        return self.title if self.number is None else f"{self.number}. {self.title}"


@dataclasses.dataclass(frozen=True, slots=True)
class SignatureBlock:
    rows: tuple[Field, ...]  # place and date, name, function (blank values: to fill in by hand)
    signature_label: str
    seal_label: str


@dataclasses.dataclass(frozen=True, slots=True)
class Outline:
    lang: str
    language_tag: str  # BCP 47, for Word's w:lang and HTML's lang
    rtl: bool
    title: str
    subtitle: str | None
    banners: tuple[str, ...]
    references: tuple[Field, ...]
    sections: tuple[Section, ...]
    closing: str
    signature: SignatureBlock
    annexes: Section | None
    header: str  # the running header: the reference, and CONFIDENTIAL where asked
    page_formula: tuple[str, str, str]  # text before the page number, between, after the count

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"


def paragraphs(text: str) -> list[Line]:
    lines = [Line(line.strip()) for line in text.splitlines() if line.strip()]
    return lines or [Line("")]


def direction(text: str) -> str | None:
    """ "rtl" or "ltr" after the first strong character (as the Unicode bidi algorithm's rule P2
    does); "ltr" for text with none (numbers, telephone numbers); None for blank text."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return "ltr" if text.strip() else None


def build_outline(
    document: RequestDocument, lang: str, *, accepted_languages: Collection[str] | None = None
) -> Outline:
    """The outline of `document` written in `lang` (one of the six UN languages).

    `accepted_languages`: the languages the requested State accepts (None: not known); with
    document.text_language they decide which passages are marked for translation.
    """
    return _Builder(document, lang, accepted_languages).outline()


class _Builder:
    def __init__(self, document: RequestDocument, lang: str, accepted: Collection[str] | None) -> None:
        self.doc = document
        self.t = Texts(lang)
        self.lang = lang
        typed_in = translation_language(
            text_language=document.text_language, document_language=lang, accepted=accepted
        )
        self.mark = None if typed_in is None else self.t("formula.translation_required", lang=typed_in)

    # --- small helpers ---------------------------------------------------------------------

    def free(self, text: str | None) -> list[Block]:
        """A passage the user typed, with its translation mark when one is needed."""
        return [Paragraph(text, self.mark)] if text else []

    def row(self, key: str, value: str | None, *, free: bool = False, **values: object) -> list[Field]:
        if not value:
            return []
        return [Field(self.t(key, **values), value, self.mark if free else None)]

    def date(self, value: dt.date | None) -> str:
        return format_date(value, self.lang)

    def state(self, code: str | None) -> str:
        return state_name(code, self.lang) if code else ""

    def period(self, start: dt.date | None, end: dt.date | None) -> str:
        if start is not None and end is not None:
            return self.t("formula.period", start=self.date(start), end=self.date(end))
        if start is not None:
            return self.t("formula.period_from", start=self.date(start))
        if end is not None:
            return self.t("formula.period_to", end=self.date(end))
        return ""

    def authority(self, ref: AuthorityRef | None, state: str | None) -> str:
        name = ref.name if ref is not None else self.t("ref.competent_authorities")
        code = ref.state if ref is not None else state
        return f"{name}\n{self.state(code)}" if code else name

    def warrant(self, ref: WarrantRef | None) -> str:
        if ref is None:
            return ""
        parts = [
            self.t(key) + self.t("punct.colon") + value
            for key, value in (
                ("field.issued_by", ref.issued_by),
                ("field.date", self.date(ref.date)),
                ("field.reference", ref.reference),
            )
            if value
        ]
        return self.t.join(parts, list_separator=True)

    @staticmethod
    def blocks(*groups: Iterable[Block | Field]) -> list[Block]:
        """Blocks in order, consecutive label/value rows gathered into one Fields table."""
        out: list[Block] = []
        pending: list[Field] = []
        for group in groups:
            for item in group:
                if isinstance(item, Field):
                    pending.append(item)
                    continue
                if pending:
                    out.append(Fields(tuple(pending)))
                    pending = []
                out.append(item)
        if pending:
            out.append(Fields(tuple(pending)))
        return out

    # --- the document ------------------------------------------------------------------------

    def outline(self) -> Outline:
        doc, t = self.doc, self.t
        # In extradition the person sought is the subject of the request: described up front.
        persons = ("persons", self.persons())
        extradition = doc.request_type in EXTRADITION_TYPES
        candidates: list[tuple[str, list[Block]]] = [
            ("requesting_authority", self.requesting_authority()),
            ("legal_basis", self.legal_basis()),
            ("summary", self.summary()),
            *([persons] if extradition else []),
            ("facts", self.free(doc.facts_summary)),
            ("offences", self.offences()),
            *self.extradition(),
            ("confiscation", self.confiscation()),
            ("assistance", self.assistance()),
            *([] if extradition else [persons]),
            ("property", self.property()),
            ("purpose", self.free(doc.purpose)),
            ("confidentiality", self.confidentiality()),
            ("use_limitation", self.use_limitation()),
            ("urgency", self.urgency()),
            ("contact", self.contact()),
        ]
        sections: list[Section] = []
        for key, blocks in candidates:
            if blocks:
                sections.append(Section(key, t(f"sec.{key}"), tuple(blocks), len(sections) + 1))
        before, _, rest = t("page.x_of_y").partition("{page}")
        between, _, after = rest.partition("{pages}")
        header_parts = [t("header.reference", reference=doc.reference)] if doc.reference else []
        if doc.confidentiality is not None and doc.confidentiality.required:
            header_parts.append(t("banner.confidential"))
        return Outline(
            lang=self.lang,
            language_tag=LANGUAGE_TAGS[self.lang],
            rtl=t.rtl,
            title=t(f"type.{doc.request_type}"),
            subtitle=t("untoc.under") if self.untoc_basis() else None,
            banners=self.banners(),
            references=tuple(self.references()),
            sections=tuple(sections),
            closing=t("formula.closing"),
            signature=self.signature(),
            annexes=self.annexes(),
            header=" — ".join(header_parts),
            page_formula=(before, between, after),
        )

    def untoc_basis(self) -> bool:
        return any(
            b.kind == LegalBasisKind.UNTOC or b.instrument.lower() == "untoc" for b in self.doc.legal_basis
        )

    def banners(self) -> tuple[str, ...]:
        doc, t = self.doc, self.t
        banners = []
        if doc.confidentiality is not None and doc.confidentiality.required:
            banners.append(t("banner.confidential"))
        if doc.urgency is not None and doc.urgency.required:
            banners.append(t("banner.urgent"))
        return tuple(banners)

    def references(self) -> list[Field]:
        doc = self.doc
        requesting_state = doc.requesting_authority.state if doc.requesting_authority else None
        rows = [
            *self.row("ref.reference", doc.reference),
            *self.row("ref.date", self.date(doc.date)),
        ]
        if doc.requesting_authority is not None:
            rows += self.row("ref.from", self.authority(doc.requesting_authority, requesting_state))
        rows += self.row("ref.to", self.authority(doc.requested_authority, doc.requested_state))
        return rows

    def requesting_authority(self) -> list[Block]:
        ref = self.doc.requesting_authority
        if ref is None:
            return []
        return self.blocks(
            self.row("field.authority_name", ref.name),
            self.row("field.functions", ref.functions),
            self.row("field.address", ref.address),
            self.row("field.state", self.state(ref.state)),
        )

    def legal_basis(self) -> list[Block]:
        t = self.t
        rows = []
        for basis in self.doc.legal_basis:
            is_untoc = basis.kind == LegalBasisKind.UNTOC or basis.instrument.lower() == "untoc"
            title = t("untoc.name") if is_untoc else (basis.title or basis.instrument)
            if basis.articles:
                title += t("punct.list") + t("formula.articles", articles=t.join(list(basis.articles)))
            rows.append(Field(t(f"basis.{basis.kind}"), title))
        return self.blocks(rows)

    def summary(self) -> list[Block]:
        doc, t = self.doc, self.t
        sentences = [t("formula.type", type=t(f"type.{doc.request_type}"))]
        if doc.measures:
            names = [t(f"measure.{m.measure}") for m in doc.measures]
            sentences.append(t("formula.measures", measures=t.join(names, list_separator=True)))
        space = "" if self.lang == "zh" else " "
        blocks: list[Block | Field] = [
            Paragraph(t("formula.opening"), style="formula"),
            Paragraph(space.join(sentences)),
        ]
        p = doc.proceeding
        if p is not None:
            blocks += [
                *self.row("field.proceeding_type", t(f"proceeding.{p.type}") if p.type else None),
                *self.row("field.stage", p.stage, free=True),
                *self.row("field.proceeding_reference", p.reference),
                *self.row("field.conducting_authority", p.conducting_authority),
                *self.row(
                    "field.conducting_authority_functions", p.conducting_authority_functions, free=True
                ),
                *self.row("field.subject_and_nature", p.subject_and_nature, free=True),
            ]
        return self.blocks(blocks)

    def offences(self) -> list[Block]:
        t = self.t
        blocks: list[Block | Field] = []
        for i, offence in enumerate(self.doc.offences, 1):
            rows = [
                *self.row("field.offence_description", offence.description, free=True),
                *self.row("field.legal_provisions", offence.legal_provisions, free=True),
                *self.row(
                    "field.max_penalty_years",
                    format_number(offence.max_penalty_years, self.lang)
                    if offence.max_penalty_years is not None
                    else None,
                ),
                *self.row("field.max_penalty", offence.max_penalty_text, free=True),
            ]
            if offence.untoc_article is not None:
                n = offence.untoc_article
                named = t("formula.article_named", article=n, name=t(f"untoc_offence.{n}"))
                rows += self.row("field.untoc_offence", named)
            if rows:
                blocks += [Subheading(t("field.offence", n=i)), *rows]
        statements = self.doc.statements
        if statements is not None:
            blocks += self.row("field.dual_criminality", statements.dual_criminality, free=True)
        return self.blocks(blocks)

    def extradition(self) -> list[tuple[str, list[Block]]]:
        x = self.doc.extradition
        if x is None:
            return []
        t = self.t
        particulars = self.blocks(
            self.row("field.extradition_purpose", t(f"purpose.{x.purpose}") if x.purpose else None),
            self.row("field.arrest_warrant", self.warrant(x.arrest_warrant)),
            self.row("field.conviction_judgment", self.warrant(x.conviction_judgment)),
            self.row("field.sentence_remaining", x.sentence_remaining, free=True),
        )
        return [
            ("extradition", particulars),
            ("limitation", self.free(x.limitation_statement)),
            ("evidence", self.free(x.evidence_summary)),
            ("assurances", self.free(x.assurances)),
            ("undertaking", self.free(x.undertaking_formal_request)),
        ]

    def confiscation(self) -> list[Block]:
        c = self.doc.confiscation
        if c is None:
            return []
        return self.blocks(
            self.row("field.facts_statement", c.facts_statement, free=True),
            self.row("field.confiscation_order", self.warrant(c.confiscation_order)),
            self.row("field.execution_extent", c.execution_extent, free=True),
            self.row("field.actions_requested", c.actions_requested, free=True),
        )

    def assistance(self) -> list[Block]:
        doc, t = self.doc, self.t
        blocks: list[Block | Field] = []
        for i, m in enumerate(doc.measures, 1):
            blocks.append(Subheading(f"{i}. {t(f'measure.{m.measure}')}"))
            blocks += self.measure_rows(m)
        blocks += self.row("field.procedure", doc.procedure_wishes, free=True)
        if doc.statements is not None:
            blocks += self.row("field.court_order", doc.statements.court_order, free=True)
        return self.blocks(blocks)

    def measure_rows(self, m: MeasureRequest) -> list[Field]:
        rows = self.row("field.assistance_description", m.description, free=True)
        if m.bank is not None:
            rows += self.bank_rows(m.bank)
        if m.data is not None:
            rows += self.data_rows(m.data)
        if m.videoconference is not None:
            rows += self.videoconference_rows(m.videoconference)
        if m.transfer is not None:
            rows += self.transfer_rows(m.transfer)
        return rows

    def bank_rows(self, b: BankDetails) -> list[Field]:
        return [
            *self.row("field.bank", b.bank),
            *self.row("field.account", b.account),
            *self.row("field.account_holder", b.holder),
            *self.row("field.period", self.period(b.period_from, b.period_to)),
            *self.row("field.records", b.records, free=True),
        ]

    def data_rows(self, d: DataDetails) -> list[Field]:
        t = self.t
        return [
            *self.row("field.provider", d.provider),
            *self.row("field.identifiers", t.join(list(d.identifiers))),
            *self.row("field.period", self.period(d.period_from, d.period_to)),
            *self.row("field.data_categories", t.join([t(f"data.{c}") for c in d.categories])),
        ]

    def videoconference_rows(self, v: VideoconferenceDetails) -> list[Field]:
        return [
            *self.row("field.vc_person", v.person),
            *self.row("field.vc_why_not_in_person", v.why_not_in_person, free=True),
            *self.row("field.vc_authority", v.conducting_authority),
            *self.row("field.vc_dates", v.proposed_dates, free=True),
        ]

    def transfer_rows(self, x: TransferDetails) -> list[Field]:
        t = self.t
        consent = None if x.consent is None else t("answer.yes" if x.consent else "answer.no")
        return [
            *self.row("field.transfer_person", x.person),
            *self.row("field.transfer_consent", consent),
            *self.row("field.transfer_custody", x.custody_conditions, free=True),
            *self.row("field.transfer_return_by", self.date(x.return_by)),
        ]

    def persons(self) -> list[Block]:
        t = self.t
        blocks: list[Block | Field] = []
        for i, p in enumerate(self.doc.persons, 1):
            nationalities = t.join([self.state(code) for code in p.nationalities])
            blocks += [
                Subheading(f"{i}. {t(f'role.{p.role}')}"),
                *self.row("field.person_name", p.name),
                *self.row("field.other_names", p.other_names),
                *self.row("field.date_of_birth", self.date(p.date_of_birth)),
                *self.row("field.place_of_birth", p.place_of_birth),
                *self.row("field.nationality", nationalities),
                *self.row("field.identity_documents", p.identity_documents),
                *self.row("field.location", p.location),
                *self.row("field.other_information", p.description, free=True),
            ]
        return self.blocks(blocks)

    def property(self) -> list[Block]:
        t = self.t
        blocks: list[Block | Field] = []
        for i, item in enumerate(self.doc.property, 1):
            value = format_money(item.value, item.currency, self.lang) if item.value is not None else None
            blocks += [
                Subheading(t("field.property_item", n=i)),
                *self.row("field.description", item.description, free=True),
                *self.row("field.location", item.location),
                *self.row("field.value", value),
            ]
        return self.blocks(blocks)

    def confidentiality(self) -> list[Block]:
        c = self.doc.confidentiality
        if c is None or not (c.required or c.reasons):
            return []
        formula = [Paragraph(self.t("formula.confidentiality"), style="formula")] if c.required else []
        return self.blocks(formula, self.row("field.reasons", c.reasons, free=True))

    def use_limitation(self) -> list[Block]:
        statements = self.doc.statements
        if statements is None or not statements.use_limitation:
            return []
        return [
            Paragraph(self.t("formula.use_limitation"), style="formula"),
            *self.free(statements.use_limitation),
        ]

    def urgency(self) -> list[Block]:
        u, d = self.doc.urgency, self.doc.deadline
        blocks: list[Block | Field] = []
        if u is not None and u.required:
            blocks.append(Paragraph(self.t("formula.urgent"), style="formula"))
        if u is not None:
            blocks += self.row("field.reasons", u.reasons, free=True)
        if d is not None:
            blocks += self.row("field.deadline", self.date(d.date))
            blocks += self.row("field.deadline_reasons", d.reasons, free=True)
        return self.blocks(blocks)

    def contact(self) -> list[Block]:
        c = self.doc.contact
        if c is None:
            return []
        languages = self.t.join([language_name(code, self.lang) for code in c.languages])
        return self.blocks(
            self.row("field.contact_name", c.name),
            self.row("field.contact_function", c.function),
            self.row("field.phone", c.phone),
            self.row("field.email", c.email),
            self.row("field.languages", languages),
        )

    def signature(self) -> SignatureBlock:
        t, s = self.t, self.doc.signature
        place = s.place if s is not None else None
        day = self.date(s.date) if s is not None else ""
        return SignatureBlock(
            rows=(
                Field(t("field.place_and_date"), ", ".join(v for v in (place, day) if v)),
                Field(t("field.signatory_name"), (s.name if s is not None else None) or ""),
                Field(t("field.signatory_function"), (s.function if s is not None else None) or ""),
            ),
            signature_label=t("field.signature"),
            seal_label=t("field.seal"),
        )

    def annexes(self) -> Section | None:
        t = self.t
        rows = []
        for i, a in enumerate(self.doc.attachments, 1):
            value = a.title + (f" — {a.description}" if a.description else "")
            if a.language:
                value += " " + t("formula.language_note", language=language_name(a.language, self.lang))
            rows.append(Field(t("field.annex", n=i), value))
        return Section("annexes", t("sec.annexes"), (Fields(tuple(rows)),)) if rows else None
