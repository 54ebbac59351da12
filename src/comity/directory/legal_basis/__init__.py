"""The legal-basis engine: which instrument applies between two States for a cooperation type.

from comity.directory.legal_basis import LegalBasisQuery, answer
answer(LegalBasisQuery.parse({"requesting": "MEX", "requested": "NLD", "type": "mla"}))
"""

from __future__ import annotations

from comity.directory.legal_basis.engine import answer
from comity.directory.legal_basis.facts import Facts, build_facts, invalidate_facts, load_facts, read_rows
from comity.directory.legal_basis.query import InvalidQuery, LegalBasisQuery

__all__ = [
    "Facts",
    "InvalidQuery",
    "LegalBasisQuery",
    "answer",
    "build_facts",
    "invalidate_facts",
    "load_facts",
    "read_rows",
]
