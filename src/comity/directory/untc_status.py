"""Refresh one treaty's parties from a depositary participant table (UNTC).

The table is read by `comity.directory.states.read_participant_table` (UN names mapped to ISO
codes, never guessed); parties missing from the table are reported, never deleted, and a value the
table does not show never erases one already stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from comity.core.models import State
from comity.directory import states as state_names
from comity.directory.enums import (
    PartyStatus,
)
from comity.directory.importers import (
    FileReport,
    ImportInputError,
    Progress,
    RowError,
    RowRejected,
    _known_states,
    _url_validator,
    party_in_force_date,
)
from comity.directory.models import Treaty, TreatyParty


@dataclass(frozen=True)
class PartyChange:
    code: str
    line: int
    created: bool
    changes: dict[str, tuple[str, str]]  # field: (old, new), as ISO text

    def __str__(self) -> str:
        verb = "added" if self.created else "updated"
        fields = "; ".join(
            f"{name} {old or '-'} -> {new or '-'}" for name, (old, new) in self.changes.items()
        )
        return f"{self.code}: {verb}: {fields}"


@dataclass
class StatusReport(FileReport):
    changes: list[PartyChange] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # values the table does not show, kept
    missing: list[str] = field(default_factory=list)  # parties in the directory, not in the table


def _text(value: object) -> str:
    return "" if value is None else str(value)


def import_untc_status(
    path: Path,
    *,
    treaty_code: str,
    dry_run: bool = False,
    source_url: str = "",
    retrieved_on: date | None = None,
    progress: Progress | None = None,
) -> StatusReport:
    """Bring one treaty's parties in line with a depositary participant table.

    The table is the depositary's word on the dates it shows: a signature or consent date that
    differs from the directory replaces it (with the consent type from the marker and the
    in-force date from the treaty's rule), and a State not yet recorded is added (as a party, or
    a signatory). An empty cell never erases a date the directory has from a later source (the
    table may be older): it is reported as kept. Parties absent from the table are reported,
    never deleted. With `dry_run` the same report is produced and nothing is written.
    """
    try:
        table = state_names.read_participant_table(path)
    except state_names.TableError as exc:
        raise ImportInputError(str(exc)) from None
    treaty = Treaty.objects.filter(code=treaty_code).first()
    if treaty is None:
        raise ImportInputError(f"unknown treaty code {treaty_code!r}")
    if source_url:
        try:
            _url_validator(source_url)
        except ValidationError:
            raise ImportInputError(f"bad source URL {source_url!r}") from None
    source_url = source_url or treaty.source_url
    retrieved_on = retrieved_on or timezone.localdate()
    report = StatusReport(path.name)
    with transaction.atomic():
        _apply_status(
            table, treaty, report, source_url=source_url, retrieved_on=retrieved_on, progress=progress
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _apply_status(
    table: state_names.ParticipantTable,
    treaty: Treaty,
    report: StatusReport,
    *,
    source_url: str,
    retrieved_on: date,
    progress: Progress | None,
) -> None:
    report.read = len(table.rows) + len(table.bad_rows)
    report.rejected.extend(RowError(report.file, line, reason) for line, reason in table.bad_rows)
    known = _known_states()
    parties = {p.state.code: p for p in TreatyParty.objects.filter(treaty=treaty).select_related("state")}
    seen: dict[str, int] = {}
    for done, row in enumerate(table.rows, 1):
        if progress is not None:
            progress(report.file, done, len(table.rows))
        try:
            code = state_names.code_for_name(row.name)
            if code is None:
                raise RowRejected(f"cannot map participant name {row.name!r} to a State code")
            if code in seen:
                raise RowRejected(f"{row.name!r} is {code}, already on line {seen[code]}")
            state = known.get(code)
            if state is None:
                raise RowRejected(
                    f"{code} ({row.name!r}) is not in the directory; import the reference data first"
                )
            signature, _ = state_names.parse_untc_date(row.signature)
            consent, consent_type = state_names.parse_untc_date(row.consent)
            if signature is None and consent is None and code not in parties:
                raise RowRejected(f"{code}: neither a signature nor a consent date")
        except (RowRejected, ValueError) as exc:
            report.rejected.append(RowError(report.file, row.line, str(exc)))
            continue
        seen[code] = row.line
        _apply_row(
            report,
            treaty=treaty,
            state=state,
            line=row.line,
            party=parties.get(code),
            signature=signature,
            consent=consent,
            consent_type=consent_type,
            source=(source_url, f"Depositary participant table ({report.file})", retrieved_on),
        )
    report.missing = sorted(code for code in parties if code not in seen)


def _apply_row(
    report: StatusReport,
    *,
    treaty: Treaty,
    state: State,
    line: int,
    party: TreatyParty | None,
    signature: date | None,
    consent: date | None,
    consent_type: str,
    source: tuple[str, str, date],
) -> None:
    wanted: dict[str, Any] = {}
    if signature is not None:
        wanted["signature_date"] = signature
    if consent is not None:
        wanted.update(
            status=PartyStatus.PARTY,
            consent_date=consent,
            consent_type=consent_type,
            in_force_date=party_in_force_date(treaty=treaty, consent_date=consent),
        )
    if party is None:
        wanted.setdefault("status", PartyStatus.SIGNATORY)
        source_url, source_desc, retrieved_on = source
        TreatyParty.objects.create(
            treaty=treaty,
            state=state,
            source_url=source_url,
            source_desc=source_desc,
            retrieved_on=retrieved_on,
            **wanted,
        )
        report.created += 1
        report.changes.append(
            PartyChange(state.code, line, True, {k: ("", _text(v)) for k, v in wanted.items()})
        )
        return
    if signature is None and party.signature_date is not None:
        report.kept.append(f"{state.code}: the table shows no signature; kept {party.signature_date}")
    if consent is None and party.status != PartyStatus.SIGNATORY:
        kept = party.consent_date or party.get_status_display()
        report.kept.append(f"{state.code}: the table shows no consent; kept {kept} ({party.status})")
    changes = {k: (_text(getattr(party, k)), _text(v)) for k, v in wanted.items() if getattr(party, k) != v}
    if not changes:
        report.unchanged += 1
        return
    for name in changes:
        setattr(party, name, wanted[name])
    party.source_url, party.source_desc, party.retrieved_on = source
    party.notes = "\n".join(
        p for p in (party.notes, f"{party.retrieved_on}: {', '.join(changes)} from {party.source_desc}.") if p
    )
    party.save(update_fields=[*changes, "source_url", "source_desc", "retrieved_on", "notes"])
    report.updated += 1
    report.changes.append(PartyChange(state.code, line, False, changes))
