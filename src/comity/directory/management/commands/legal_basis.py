"""`comity legal-basis`: which instrument applies between two States (exit 2 on bad input)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comity.directory.legal_basis import InvalidQuery, LegalBasisQuery, answer, load_facts


class Command(BaseCommand):
    help = (
        "Answer which legal bases (treaties, UNTOC, reciprocity) let the requesting State ask the "
        "requested State for a cooperation type, with warnings citing UNTOC articles."
    )
    # A read-only question; the answer does not depend on the system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requesting", required=True, help="ISO3 code of the requesting State")
        parser.add_argument("--requested", required=True, help="ISO3 code of the requested State")
        parser.add_argument(
            "--type",
            required=True,
            help="mla, extradition, confiscation, transfer_of_proceedings or transfer_of_sentenced_persons",
        )
        parser.add_argument(
            "--max-penalty-requesting", help="maximum penalty in years there (0: not punishable)"
        )
        parser.add_argument(
            "--max-penalty-requested", help="maximum penalty in years there (0: not punishable)"
        )
        parser.add_argument("--offence-article", help="UNTOC offence article: 5, 6, 8 or 23")
        parser.add_argument(
            "--transnational",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="the offence is transnational (MLA: reasonable grounds to suspect it); omit if unknown",
        )
        parser.add_argument(
            "--organized-group",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="an organized criminal group is involved (MLA: suspected); omit if unknown",
        )
        parser.add_argument(
            "--person-national-of", help="ISO3 nationality of the person sought (extradition)"
        )
        parser.add_argument("--date", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = {
            "requesting": options["requesting"],
            "requested": options["requested"],
            "type": options["type"],
            "max_penalty_requesting": options["max_penalty_requesting"],
            "max_penalty_requested": options["max_penalty_requested"],
            "offence_article": options["offence_article"],
            "transnational": options["transnational"],
            "organized_group": options["organized_group"],
            "person_national_of": options["person_national_of"],
            "date": options["date"],
        }
        facts = load_facts()
        try:
            query = LegalBasisQuery.parse(raw, states=facts.states)
            result = answer(query, facts)
        except InvalidQuery as exc:
            reasons = "; ".join(f"--{field.replace('_', '-')}: {message}" for field, message in exc.errors)
            raise CommandError(reasons, returncode=2) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(summary(result, facts.name))


def summary(result: dict[str, Any], name: Any) -> str:
    """A readable text summary of an answer."""
    q = result["query"]
    lines = [
        f"{q['type']}: {name(q['requesting'])} -> {name(q['requested'])} on {q['date']}",
        f"UNTOC applies: {'yes' if result['untoc_applies'] else 'no (' + ', '.join(result['untoc_reasons']) + ')'}",
        "",
        "Legal bases (most specific first):",
    ]
    for i, basis in enumerate(result["bases"], 1):
        articles = f", art. {', '.join(basis['articles'])}" if basis["articles"] else ""
        since = f", in force since {basis['in_force_since']}" if basis["in_force_since"] else ""
        lines.append(f"  {i}. [{basis['kind']}] {basis['title']}{articles}{since}")
        if basis["note"]:
            lines.append(f"     {basis['note']}")
    if result["warnings"]:
        lines += ["", "Warnings:"]
        lines += [
            f"  - {w['code']}" + (f" (art. {w['article']})" if w["article"] else "") + f": {w['message']}"
            for w in result["warnings"]
        ]
    if result["assumptions"]:
        lines += ["", "Assumptions:"]
        lines += [f"  - {a}" for a in result["assumptions"]]
    state = result["requested_state"]
    authority = state["central_authority"]
    lines += [
        "",
        f"Send to: {authority['name'] + (' <' + authority['email'] + '>' if authority['email'] else '') if authority else 'no central authority recorded'}",
        f"Languages accepted: {', '.join(state['languages']) or 'not recorded'}",
        f"Channels: {', '.join(state['channels']) or 'not recorded'}",
    ]
    return "\n".join(lines)
