"""What the rules return: warnings (`Finding`), bases, and the context they read."""

from __future__ import annotations

import dataclasses
import datetime as dt

from comity.directory.legal_basis.facts import Facts
from comity.directory.legal_basis.query import LegalBasisQuery


@dataclasses.dataclass(frozen=True, slots=True)
class Finding:
    """A warning: a vocabulary code, the article behind it (None: not a UNTOC rule), a message."""

    code: str
    article: str | None
    message: str


@dataclasses.dataclass(frozen=True, slots=True)
class Basis:
    kind: str
    instrument: str | None
    title: str
    articles: tuple[str, ...]
    in_force_since: dt.date | None
    note: str | None


@dataclasses.dataclass(slots=True)
class Result:
    warnings: list[Finding] = dataclasses.field(default_factory=list)
    bases: list[Basis] = dataclasses.field(default_factory=list)
    untoc_reasons: list[str] = dataclasses.field(default_factory=list)
    assumptions: list[str] = dataclasses.field(default_factory=list)

    def warn(self, code: str, article: str | None, message: str, *, excludes_untoc: bool = False) -> None:
        self.warnings.append(Finding(code, article, message))
        if excludes_untoc:
            self.untoc_reasons.append(code)


@dataclasses.dataclass(frozen=True, slots=True)
class Context:
    query: LegalBasisQuery
    facts: Facts
    today: dt.date

    @property
    def day(self) -> dt.date:
        return self.query.date

    @property
    def type(self) -> str:
        return self.query.type

    @property
    def past(self) -> bool:
        return self.query.date < self.today

    def name(self, code: str) -> str:
        return self.facts.name(code)
