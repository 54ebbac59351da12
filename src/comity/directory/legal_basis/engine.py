"""`answer(query)`: which instruments let one State ask another for a given cooperation.

The rules are in `rules.py` (one function per rule, each citing its article); this module runs
them in order, passes each the results it depends on, and shapes the JSON answer:

    {"untoc_applies": bool, "untoc_reasons": [warning codes],
     "bases": [{"kind", "instrument", "title", "articles", "in_force_since", "note"}],
     "warnings": [{"code", "article", "message"}], "assumptions": [str],
     "requested_state": {"code", "languages", "central_authority": {...} | null, "channels"},
     "query": {...the query, normalised...}}

Bases are ordered from most to least specific (bilateral, regional, multilateral treaty, UNTOC,
reciprocity). `article` is null on warnings that do not come from a UNTOC article.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from comity.directory.legal_basis import rules
from comity.directory.legal_basis.facts import Facts, load_facts
from comity.directory.legal_basis.outcome import Basis, Context
from comity.directory.legal_basis.query import LegalBasisQuery, check_states, today


def _basis(basis: Basis) -> dict[str, Any]:
    return {
        "kind": basis.kind,
        "instrument": basis.instrument,
        "title": basis.title,
        "articles": list(basis.articles),
        "in_force_since": basis.in_force_since.isoformat() if basis.in_force_since else None,
        "note": basis.note,
    }


def answer(
    query: LegalBasisQuery, facts: Facts | None = None, *, on: dt.date | None = None
) -> dict[str, Any]:
    """The legal bases, warnings and assumptions for `query`, as JSON-ready values.

    `facts` defaults to the cached snapshot of the directory (`load_facts()`); `on` is today's
    date (a date before it is "in the past", which matters where an in-force date is unknown).
    Raises InvalidQuery when a State code of the query is not in the directory.
    """
    facts = load_facts() if facts is None else facts
    check_states(query, facts.states)
    ctx = Context(query=query, facts=facts, today=on or today())

    in_force = rules.untoc_entry_into_force(ctx)
    scope = rules.untoc_scope(ctx)
    dual = rules.dual_criminality(ctx)
    untoc_reasons = in_force.untoc_reasons + scope.untoc_reasons + dual.untoc_reasons
    applies = not untoc_reasons

    treaties = rules.treaty_bases(ctx, untoc_applies=applies)
    results = [
        in_force,
        treaties,
        scope,
        dual,
        rules.extradition_treaty_condition(ctx, treaties.bases, untoc_applies=applies),
        rules.minimum_penalty(ctx),
        rules.nationals(ctx),
        rules.confiscation_coverage(ctx, scope.untoc_reasons),
        rules.untoc_basis(ctx, untoc_applies=applies, treaty_bases=treaties.bases),
        rules.not_a_ground_reminders(ctx, untoc_applies=applies),
        rules.reciprocity(ctx),
    ]
    contacts = rules.requested_state_contacts(ctx)
    bases = sorted(
        (b for r in results for b in r.bases),
        key=lambda b: rules.KIND_ORDER[b.kind],  # stable: treaties keep their own order
    )
    authority = contacts.central_authority
    return {
        "untoc_applies": applies,
        "untoc_reasons": untoc_reasons,
        "bases": [_basis(b) for b in bases],
        "warnings": [
            {"code": w.code, "article": w.article, "message": w.message} for r in results for w in r.warnings
        ],
        "assumptions": [a for r in results for a in r.assumptions] + list(contacts.assumptions),
        "requested_state": {
            "code": query.requested,
            "languages": list(contacts.languages),
            "central_authority": None
            if authority is None
            else {
                "code": authority.code,
                "name": authority.name,
                "email": authority.email,
                "channels": list(authority.channels),
            },
            "channels": list(contacts.channels),
        },
        "query": query.as_dict(),
    }
