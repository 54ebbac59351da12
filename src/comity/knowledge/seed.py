"""Seed content of the knowledge base: the Convention's cooperation articles and example entries.

- `ARTICLES`: the structure of the UNTOC articles on international cooperation (12, 13, 14, 16,
  17, 18, 19, 20, 21, 24, 26, 27) with our own paraphrased summaries, written from
  `shared/domain/untoc-rules.md`. Only the short article titles follow the Convention; no
  sentence of the treaty text is reproduced. The summaries are translatable (gettext).
- `data/examples.json`: a small set of ORIGINAL example entries written for Comity (fictional
  cases, legislation, a guide and a model text). Every one has `is_example=True` and a title
  starting with "Example:"; none is a real case or the real law of a State.

`seed_examples()` upserts the examples by `source_key` through `services.entries_upsert_many`
(`entry_upsert` for many rows, in one transaction), so it can run any number of times (the demo
runs it on every `make demo`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from comity.vocabulary import CooperationType

if TYPE_CHECKING:
    from comity.knowledge.services import UpsertReport

DATA = Path(__file__).parent / "data"
EXAMPLES_FILE = DATA / "examples.json"
EXAMPLE_PREFIX = "Example:"
EXAMPLE_SOURCE_PREFIX = "example:"


@dataclass(frozen=True)
class Paragraph:
    ref: str  # "18(3)", "20(4)"
    summary: Promise


@dataclass(frozen=True)
class Article:
    number: str  # top-level article number, the `article` facet value
    title: Promise  # the short title of the article
    summary: Promise  # our paraphrase of what the article is for
    cooperation_types: tuple[str, ...]
    paragraphs: tuple[Paragraph, ...]


CT = CooperationType

ARTICLES: tuple[Article, ...] = (
    Article(
        "12",
        _("Confiscation and seizure"),
        _(
            "Each State must be able to confiscate the proceeds of covered offences (or property of "
            "the same value) and the instruments used to commit them, and to trace, freeze or seize "
            "them first. It is the domestic basis on which international confiscation rests."
        ),
        (CT.CONFISCATION,),
        (
            Paragraph("12(1)", _("Confiscation of proceeds, equivalent value and instrumentalities.")),
            Paragraph("12(2)", _("Identifying, tracing, freezing or seizing them for later confiscation.")),
            Paragraph(
                "12(3)-(5)",
                _(
                    "Transformed or mixed property, and income drawn from proceeds, are treated like proceeds."
                ),
            ),
            Paragraph(
                "12(6)",
                _("Courts can order bank, financial or commercial records; bank secrecy is no excuse."),
            ),
            Paragraph("12(8)", _("The rights of third parties acting in good faith are protected.")),
        ),
    ),
    Article(
        "13",
        _("International cooperation for purposes of confiscation"),
        _(
            "How a State asks another to confiscate property located there: either the requested "
            "State obtains its own confiscation order, or it gives effect to the requesting State's "
            "order. Provisional measures (tracing, freezing, seizure) can be asked for first."
        ),
        (CT.CONFISCATION,),
        (
            Paragraph(
                "13(1)(a)",
                _("Route 1: the requested State seeks a confiscation order of its own and executes it."),
            ),
            Paragraph(
                "13(1)(b)",
                _("Route 2: the requested State gives effect to the requesting State's confiscation order."),
            ),
            Paragraph("13(2)", _("Identify, trace, freeze or seize the property pending confiscation.")),
            Paragraph(
                "13(3)",
                _(
                    "Article 18 applies; the request adds a description of the property, a statement "
                    "of facts and, for route 2, a copy of the order and how far it is to be executed."
                ),
            ),
            Paragraph(
                "13(6)-(7)",
                _(
                    "The Convention can serve as the treaty basis; cooperation may be refused for "
                    "offences the Convention does not cover."
                ),
            ),
        ),
    ),
    Article(
        "14",
        _("Disposal of confiscated proceeds of crime or property"),
        _(
            "The confiscating State disposes of the property under its own law. When it acts on "
            "another State's request, it gives priority consideration to returning the property so "
            "that victims can be compensated or owners get it back, and it may agree to share it."
        ),
        (CT.CONFISCATION,),
        (
            Paragraph("14(1)", _("Disposal follows the confiscating State's law and procedures.")),
            Paragraph(
                "14(2)",
                _("Priority consideration to returning property for victims or legitimate owners."),
            ),
            Paragraph(
                "14(3)",
                _(
                    "Agreements to contribute part of the value to UN or other bodies, or to share it with States."
                ),
            ),
        ),
    ),
    Article(
        "16",
        _("Extradition"),
        _(
            "Which offences are extraditable between States Parties, when the Convention itself can "
            "be the legal basis, and what happens when a State refuses to surrender its own national: "
            "it must then, if asked, submit the case to its own prosecutors."
        ),
        (CT.EXTRADITION,),
        (
            Paragraph("16(1)", _("Covered offences, punishable in both States, are extraditable.")),
            Paragraph(
                "16(4)-(5)",
                _(
                    "A State that needs a treaty may use the Convention as the basis, and says at "
                    "ratification whether it will."
                ),
            ),
            Paragraph("16(7)", _("Conditions and grounds of refusal come from the requested State's law.")),
            Paragraph("16(8)", _("States try to speed up procedures and simplify the evidence required.")),
            Paragraph("16(9)", _("Provisional arrest in urgent cases, pending the formal request.")),
            Paragraph(
                "16(10)-(12)",
                _(
                    "Refusal because the person is a national: prosecute at home, surrender on "
                    "condition of return, or consider enforcing the foreign sentence."
                ),
            ),
            Paragraph(
                "16(14)-(16)",
                _(
                    "No duty to extradite for a discriminatory purpose; fiscal matters alone are no "
                    "ground; consult before refusing."
                ),
            ),
        ),
    ),
    Article(
        "17",
        _("Transfer of sentenced persons"),
        _(
            "States may make agreements so that a person sentenced abroad for a covered offence can "
            "serve the rest of the sentence in their own country. The Convention sets up no transfer "
            "scheme itself: a separate agreement or domestic law is needed."
        ),
        (CT.TRANSFER_OF_SENTENCED_PERSONS,),
        (),
    ),
    Article(
        "18",
        _("Mutual legal assistance"),
        _(
            "The widest measure of assistance in investigations, prosecutions and proceedings: "
            "what may be asked for, how a request travels and what it contains, how it is executed, "
            "and the only grounds on which it may be refused. Paragraphs 9 to 29 fill the gaps where "
            "no mutual legal assistance treaty binds the two States."
        ),
        (CT.MLA,),
        (
            Paragraph(
                "18(1)",
                _("Assistance also where there are reasonable grounds to suspect a transnational offence."),
            ),
            Paragraph(
                "18(3)",
                _(
                    "Purposes: evidence and statements, service of documents, search, seizure and "
                    "freezing, examining objects and sites, information and expert evaluations, "
                    "records, tracing proceeds, voluntary appearance, and other assistance."
                ),
            ),
            Paragraph("18(4)-(5)", _("Information may be passed on spontaneously, without a request.")),
            Paragraph("18(8)", _("Bank secrecy is never a ground for refusal.")),
            Paragraph("18(9)", _("Absence of dual criminality may, but need not, lead to refusal.")),
            Paragraph(
                "18(10)-(12)", _("Temporary transfer of a detained person, with consent, to give evidence.")
            ),
            Paragraph(
                "18(13)-(14)",
                _(
                    "Central authorities, channels (INTERPOL in urgent cases), written form and "
                    "accepted languages."
                ),
            ),
            Paragraph("18(15)", _("What a request must contain.")),
            Paragraph(
                "18(17)",
                _(
                    "Execution follows the requested State's law and, where possible, the procedure asked for."
                ),
            ),
            Paragraph("18(18)", _("Hearing a witness or expert by videoconference.")),
            Paragraph(
                "18(19)-(20)", _("Use of the evidence limited to the stated proceedings; confidentiality.")
            ),
            Paragraph(
                "18(21)-(23)",
                _("The grounds for refusal; fiscal matters alone are no ground; reasons must be given."),
            ),
            Paragraph("18(24)", _("Execute as soon as possible, taking account of suggested deadlines.")),
            Paragraph("18(25)-(26)", _("Postponement; consultation before refusing or postponing.")),
            Paragraph("18(27)", _("Safe conduct for witnesses and experts who come to testify.")),
        ),
    ),
    Article(
        "19",
        _("Joint investigations"),
        _(
            "States consider agreements to set up joint investigative bodies; without one, a joint "
            "investigation can be agreed case by case. The sovereignty of the State where the team "
            "works is fully respected."
        ),
        (CT.MLA,),
        (),
    ),
    Article(
        "20",
        _("Special investigative techniques"),
        _(
            "Controlled delivery and, where appropriate, surveillance and undercover operations, at "
            "home and across borders, under agreements or decisions taken case by case. In an "
            "international controlled delivery the goods may be intercepted and let through intact, "
            "or removed or replaced in whole or in part."
        ),
        (CT.MLA,),
        (
            Paragraph(
                "20(1)", _("Allow controlled delivery and, where appropriate, other special techniques.")
            ),
            Paragraph(
                "20(2)",
                _("Agreements for using these techniques in international cooperation are encouraged."),
            ),
            Paragraph("20(3)", _("Without an agreement, decisions are taken case by case.")),
            Paragraph(
                "20(4)",
                _("With consent, goods may continue intact, or be removed or replaced in whole or in part."),
            ),
        ),
    ),
    Article(
        "21",
        _("Transfer of criminal proceedings"),
        _(
            "States consider transferring a prosecution to one another where that serves justice, in "
            "particular when several jurisdictions are involved, so that the case is tried in one place."
        ),
        (CT.TRANSFER_OF_PROCEEDINGS,),
        (),
    ),
    Article(
        "24",
        _("Protection of witnesses"),
        _(
            "Protection of witnesses who testify about covered offences, including testimony by "
            "video link, and agreements with other States to relocate witnesses."
        ),
        (CT.MLA,),
        (
            Paragraph("24(2)(b)", _("Testimony through video link or other communications technology.")),
            Paragraph("24(3)", _("Agreements to relocate witnesses to another State.")),
        ),
    ),
    Article(
        "26",
        _("Measures to enhance cooperation with law enforcement authorities"),
        _(
            "Encouraging persons who took part in organized crime to help the authorities; where "
            "such a person in one State can substantially help another State, the two may agree on "
            "mitigation or immunity."
        ),
        (CT.MLA,),
        (Paragraph("26(5)", _("Agreements between States on the treatment of a cooperating offender.")),),
    ),
    Article(
        "27",
        _("Law enforcement cooperation"),
        _(
            "Close police cooperation: secure channels for information, joint inquiries into "
            "suspects, proceeds and instruments, liaison officers, and the exchange of information "
            "on criminal groups' methods, including crime committed through modern technology."
        ),
        (CT.MLA,),
        (
            Paragraph(
                "27(1)", _("Channels, joint inquiries, analysis samples, liaison officers, information.")
            ),
            Paragraph(
                "27(2)",
                _("Agreements for direct police cooperation; the Convention can be the basis without one."),
            ),
            Paragraph("27(3)", _("Cooperation against crime committed through modern technology.")),
        ),
    ),
)

ARTICLE_NUMBERS: tuple[str, ...] = tuple(a.number for a in ARTICLES)
# The Convention has 41 articles; the `article` facet accepts any of them.
CONVENTION_ARTICLES: tuple[str, ...] = tuple(str(n) for n in range(1, 42))


def article(number: str) -> Article | None:
    return next((a for a in ARTICLES if a.number == number), None)


def article_titles() -> dict[str, str]:
    """Article number -> translated short title (cooperation articles only)."""
    return {a.number: str(a.title) for a in ARTICLES}


# --- Example entries --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _examples_raw() -> str:
    return EXAMPLES_FILE.read_text(encoding="utf-8")


def example_entries() -> list[dict[str, Any]]:
    """The example entries as `entry_upsert` data dicts (a fresh copy on every call)."""
    entries: list[dict[str, Any]] = json.loads(_examples_raw())["entries"]
    for data in entries:
        data["is_example"] = True
    return entries


def seed_examples() -> UpsertReport:
    """Upsert every example entry by `source_key` (one transaction); a second run changes nothing."""
    from comity.knowledge.services import entries_upsert_many  # the services import the search backends

    return entries_upsert_many(rows=example_entries())
