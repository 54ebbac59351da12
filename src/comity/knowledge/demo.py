"""Demo content of the knowledge base (comity.demo): the example entries of `seed.py`.

Idempotent: the entries are upserted by `source_key` through the services, so a
second run changes nothing (an unchanged entry is not even written) and an edited example file
updates the entries in place.
"""

from __future__ import annotations

from comity.knowledge.seed import seed_examples


def seed_knowledge() -> None:
    seed_examples()
