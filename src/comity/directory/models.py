"""The directory: treaties and their parties, UNTOC declarations, authorities' contact details,
requirement profiles, and proposed changes to them.

All of it is public reference data (resolution 2(a)), so none of it is State-scoped; who may
*change* it is decided by rules and services (a State's directory editor proposes, a reviewer of
that State or the secretariat approves). Every imported record carries its source and retrieval
date.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comity.core.models import Authority, State
from comity.directory.enums import (
    AuthorityFunction,
    ChangeStatus,
    ConsentType,
    DeclarationKind,
    EvidentiaryStandard,
    ExtraditionOfNationals,
    PartyStatus,
    TreatyScope,
    TriState,
)
from comity.lib.ids import random_code


class Sourced(models.Model):
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    source_desc = models.CharField(_("source description"), max_length=500, blank=True)
    retrieved_on = models.DateField(_("retrieved on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        abstract = True


class Treaty(Sourced):
    """A bilateral, regional or multilateral instrument. Instruments are data, not code."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=400)
    scope = models.CharField(_("scope"), max_length=16, choices=TreatyScope.choices)
    subjects = models.JSONField(_("subjects"), default=list, help_text="TreatySubject codes")
    # Articles that govern each cooperation type, e.g. {"mla": ["18"], "extradition": ["16"]}.
    articles = models.JSONField(_("articles"), default=dict, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    in_force_on = models.DateField(_("in force since"), null=True, blank=True)
    depositary = models.CharField(_("depositary"), max_length=200, blank=True)
    # Days after a party's deposit when the treaty binds it (UNTOC art. 38(2): 30), or None when
    # the data gives the date itself.
    days_after_deposit = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = _("treaties")

    def __str__(self) -> str:
        return self.title


class TreatyParty(Sourced):
    """A State's participation in a treaty, with the date it became bound (if known)."""

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="parties")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="treaty_parties")
    status = models.CharField(_("status"), max_length=32, choices=PartyStatus.choices)
    signature_date = models.DateField(_("signature"), null=True, blank=True)
    consent_date = models.DateField(_("consent (deposit)"), null=True, blank=True)
    consent_type = models.CharField(_("consent type"), max_length=16, choices=ConsentType.choices, blank=True)
    in_force_date = models.DateField(_("bound since"), null=True, blank=True)

    class Meta:
        ordering = ["treaty__code", "state__code"]
        constraints = [models.UniqueConstraint(fields=["treaty", "state"], name="treaty_party_unique")]

    def __str__(self) -> str:
        return f"{self.state.code} — {self.treaty.code}"


class Declaration(Sourced):
    """A declaration, reservation or notification under an article of a treaty (mostly UNTOC)."""

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="declarations")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="declarations")
    article = models.CharField(_("article"), max_length=40)
    kind = models.CharField(_("kind"), max_length=16, choices=DeclarationKind.choices)
    date = models.DateField(_("date"), null=True, blank=True)
    summary = models.TextField(_("summary (paraphrased)"))
    languages = models.JSONField(_("languages"), default=list, blank=True)  # 18(14): ISO 639-1
    authority_name = models.CharField(_("authority"), max_length=400, blank=True)  # 18(13)
    # 16(5): does the State take the Convention as the legal basis for extradition?
    untoc_extradition_basis = models.CharField(max_length=3, choices=TriState.choices, blank=True)

    class Meta:
        ordering = ["state__code", "article", "pk"]

    def __str__(self) -> str:
        return f"{self.state.code} {self.article} {self.kind}"


class AuthorityContact(models.Model):
    """The directory entry of an authority: functions, languages, channels, contacts."""

    authority = models.OneToOneField(Authority, on_delete=models.CASCADE, related_name="contact")
    functions = models.JSONField(_("functions"), default=list)  # AuthorityFunction codes
    languages = models.JSONField(_("languages accepted"), default=list)  # ISO 639-1
    channels = models.JSONField(_("channels accepted"), default=list)  # vocabulary Channel codes
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=60, blank=True)
    urgent_contact = models.CharField(_("urgent 24/7 contact"), max_length=300, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Contact of {self.authority}"


class RequirementProfile(models.Model):
    """What a State requires for one request type or measure (vocabulary codes)."""

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="requirement_profiles")
    subject = models.CharField(_("request type or measure"), max_length=64)
    dual_criminality_required = models.CharField(max_length=3, choices=TriState.choices, blank=True)
    judicial_order_for_coercive = models.CharField(max_length=3, choices=TriState.choices, blank=True)
    typical_execution_days = models.PositiveIntegerField(null=True, blank=True)
    special_requirements = models.TextField(blank=True)
    # Extradition
    minimum_penalty_months = models.PositiveIntegerField(null=True, blank=True)
    extradition_of_nationals = models.CharField(
        max_length=16, choices=ExtraditionOfNationals.choices, blank=True
    )
    evidentiary_standard = models.CharField(max_length=32, choices=EvidentiaryStandard.choices, blank=True)
    assurances_required = models.TextField(blank=True)
    provisional_arrest_channels = models.JSONField(default=list, blank=True)
    formal_request_days = models.PositiveIntegerField(null=True, blank=True)
    last_verified = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["state__code", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["state", "subject"], name="requirement_profile_unique")
        ]

    def __str__(self) -> str:
        return f"{self.state.code} — {self.subject}"


class DirectoryChange(models.Model):
    """A proposed change to an authority's entry or a requirement profile, and its review."""

    code = models.CharField(max_length=16, unique=True, default=random_code, editable=False)
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    target_type = models.CharField(max_length=32)  # "authority_contact" | "requirement_profile"
    target_id = models.CharField(max_length=64)  # authority code, or the profile subject
    payload = models.JSONField()  # the proposed field values
    previous = models.JSONField(default=dict)  # the values they replace (filled on approval)
    status = models.CharField(max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return f"{self.target_type} {self.target_id} ({self.status})"


__all__ = [
    "AuthorityContact",
    "AuthorityFunction",
    "Declaration",
    "DirectoryChange",
    "RequirementProfile",
    "Treaty",
    "TreatyParty",
]
