"""Demo exchange: the demo node is a hub for FRA, MEX and EGY (comity.demo).

It gets a node identity and a signing key, so a request sent from one demo State to another
from now on travels as signed messages, delivered locally, with receipts on both sides. The
stories seeded before (comity.cases.demo) stay as they were recorded: on paper. Idempotent.
"""

from __future__ import annotations

from comity.exchange.keys import node_init

DEMO_NODE_ID = "demo.comity.invalid"


def seed_exchange() -> None:
    node_init(node_id=DEMO_NODE_ID, base_url="http://127.0.0.1:8000")
