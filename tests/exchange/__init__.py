from typing import Any


def applied_receipt(token: str, *, node_id: str, signer: Any) -> str:
    """The signed receipt a stand-in peer `node_id` answers for a JWS it applied: what
    `comity.exchange.inbox` builds for a real node, signed with the stand-in's own key."""
    from comity.exchange import envelope

    _header, env = envelope.peek(token)
    receipt = envelope.build(
        type="receipt",
        from_node=node_id,
        to_node=env["from_node"],
        from_state=env["to_state"],
        to_state=env["from_state"],
        request_id=env["request_id"],
        seq=None,
        payload={
            "message_id": env["id"],
            "message_digest": envelope.digest(token),
            "status": "applied",
            "reason": "",
            "detail": "",
            "received": envelope.now_iso(),
        },
    )
    return envelope.sign(receipt, signer)
