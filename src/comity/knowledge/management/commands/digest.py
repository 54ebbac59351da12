"""`comity digest`: the case digest of a selection, as PDF or HTML (resolution 1(b)).

    comity digest --article 18 --article 20 --state FRA --year-from 2010 --year-to 2024 \\
        --cooperation-type mla --format pdf -o digest.pdf

Every selection option is optional and `--article`, `--state` and `--cooperation-type` may be
repeated (OR within an option, AND across options, as on the search page). The selection is
checked by the same form as the page `/knowledge/digest/`: an unknown article, State, year or
cooperation type exits 2 with the reason on stderr. An existing OUT is not overwritten unless
`--force` is given (a digest is often kept next to earlier ones); OUT appears whole or not at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from comity.directory.selectors import state_choices
from comity.drafting.documents.texts import UN_LANGUAGES
from comity.drafting.management.commands.render_request import check_writable, write_atomically
from comity.knowledge.digest import DigestSelection, build_digest, render_digest_html, render_digest_pdf
from comity.knowledge.forms import DigestForm

FORMATS = ("pdf", "html")
# Form field -> the option that sets it, for error messages.
OPTIONS = {
    "article": "--article",
    "state": "--state",
    "year_from": "--year-from",
    "year_to": "--year-to",
    "cooperation_type": "--cooperation-type",
}


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = (
        "Write the case digest of a selection (articles, States, years, cooperation types): cases "
        "grouped by article and type of cooperation, their obstacles counted and quoted, their good "
        "practices quoted, and a table of the cases; as PDF or HTML."
    )
    requires_system_checks: list[str] = []  # reads public entries and writes one file, like render-request

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--article",
            action="append",
            default=[],
            metavar="N",
            help="UNTOC article number (repeatable), e.g. 18",
        )
        parser.add_argument(
            "--state",
            action="append",
            default=[],
            metavar="ISO3",
            help="State involved (repeatable), e.g. FRA",
        )
        parser.add_argument("--year-from", metavar="YEAR", help="first year of the cases")
        parser.add_argument("--year-to", metavar="YEAR", help="last year of the cases")
        parser.add_argument(
            "--cooperation-type",
            action="append",
            default=[],
            metavar="TYPE",
            help="mla, extradition, confiscation, transfer_of_proceedings, transfer_of_sentenced_persons (repeatable)",
        )
        parser.add_argument(
            "--format", choices=FORMATS, help="pdf or html (default: from the output's extension)"
        )
        parser.add_argument(
            "--lang", default="en", help=f"language of the digest: {', '.join(UN_LANGUAGES)} (default en)"
        )
        parser.add_argument("-o", "--output", required=True, help="the file to write")
        parser.add_argument("--force", action="store_true", help="overwrite the output if it exists")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        fmt = options["format"] or output.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise _bad("--format: give pdf or html (the output's extension is neither)")
        lang = options["lang"]
        if lang not in UN_LANGUAGES:
            raise _bad(f"--lang: {lang!r} is not one of {', '.join(UN_LANGUAGES)}")
        if output.exists() and not output.is_dir() and not options["force"]:
            raise _bad(f"{output}: already exists; give --force to overwrite it")
        check_writable(output)
        selection = self._selection(options)
        with translation.override(lang):
            digest = build_digest(selection, language=lang)
        content = render_digest_pdf(digest) if fmt == "pdf" else render_digest_html(digest).encode("utf-8")
        write_atomically(output, content)
        matching = f"{digest.total}" if digest.total_exact else f"more than {digest.total}"
        self.stdout.write(
            f"Wrote {output} ({fmt}, {lang}): {len(digest.cases)} of {matching} matching case(s), {len(content)} bytes"
        )

    def _selection(self, options: dict[str, Any]) -> DigestSelection:
        data: MultiValueDict[str, Any] = MultiValueDict(
            {
                "article": [a.strip() for a in options["article"]],
                "state": [s.strip().upper() for s in options["state"]],
                "cooperation_type": [c.strip() for c in options["cooperation_type"]],
            }
        )
        for name in ("year_from", "year_to"):
            if options[name] is not None:
                data[name] = options[name]
        with translation.override("en"):
            form = DigestForm(data, states=state_choices(language="en"))
            if not form.is_valid():
                problems = [
                    f"{OPTIONS.get(name, name)}: {' '.join(str(e) for e in errors)}"
                    for name, errors in form.errors.items()
                ]
                raise _bad("; ".join(problems))
        return DigestSelection.from_cleaned(form.cleaned_data)
