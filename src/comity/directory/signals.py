"""Signals of the directory, used only to mark cached snapshots stale (no business rules here)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from comity.directory.legal_basis.facts import invalidate_facts


def _directory_changed(sender: type, **kwargs: Any) -> None:
    # Now, for readers in this transaction; and again after commit, so that a snapshot rebuilt
    # meanwhile by another thread (which could not see the uncommitted row) is dropped too.
    invalidate_facts()
    transaction.on_commit(invalidate_facts, using=kwargs.get("using"))


def connect_signals() -> None:
    from comity.core.models import Authority, State
    from comity.directory.models import AuthorityContact, Declaration, RequirementProfile, Treaty, TreatyParty

    for model in (State, Authority, Treaty, TreatyParty, Declaration, RequirementProfile, AuthorityContact):
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                _directory_changed, sender=model, dispatch_uid=f"legal_basis_{name}_{model.__name__}"
            )
