"""Interoperability with an independent JOSE implementation (jwcrypto, not joserfc which we use).

jwcrypto verifies our signed envelopes with nothing but our published key set (/node/v1/keys);
we verify envelopes jwcrypto signed, with the alg names RFC 8037 ("EdDSA") and RFC 9864
("Ed25519") give; a changed byte is refused by both."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.utils import timezone
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from comity.exchange import envelope, keys
from comity.exchange.models import ParkReason
from comity.lib.canonical import canonical_json

pytestmark = [
    pytest.mark.django_db,
    # joserfc warns that "EdDSA" is deprecated (RFC 9864); accepting it is the point here.
    pytest.mark.filterwarnings("ignore:EdDSA is deprecated:joserfc.errors.SecurityWarning"),
]

OURS = "node-a.test"
THEIRS = "node-b.test"


@pytest.fixture
def node(world: Any, settings: Any) -> Any:
    settings.COMITY_HOSTED_STATES = ["AAA"]
    return keys.node_init(node_id=OURS, base_url="https://node-a.test")


def message(
    from_node: str, to_node: str, from_state: str, to_state: str, text: str = "hello"
) -> dict[str, Any]:
    return envelope.build(
        type="note",
        from_node=from_node,
        to_node=to_node,
        from_state=from_state,
        to_state=to_state,
        request_id=uuid.uuid4(),
        seq=1,
        payload={"text": text, "non_ascii": "Ça va — 你好 — مرحبا"},
    )


def tamper(token: str, other_payload: bytes) -> str:
    header, _payload, signature = token.split(".")
    encoded = base64.urlsafe_b64encode(other_payload).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


def published_key(kid: str) -> jwk.JWK:
    """Our public key as a peer gets it: from the JWKS document, through JSON."""
    document = json.loads(json.dumps(keys.jwks()))
    [entry] = [k for k in document["keys"] if k["kid"] == kid]
    return jwk.JWK(**{name: entry[name] for name in ("kty", "crv", "x", "kid")})


def test_jwcrypto_verifies_our_signature(node: Any) -> None:
    env = message(OURS, THEIRS, "AAA", "BBB")
    token = envelope.sign(env)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "Ed25519", "kid": keys.current_signer().kid, "typ": "comity-envelope+jws"}
    verifier = jws.JWS()
    verifier.deserialize(token)
    verifier.allowed_algs = ["Ed25519"]
    verifier.verify(published_key(header["kid"]))
    assert verifier.payload == canonical_json(env)
    assert json.loads(verifier.payload) == env


def test_jwcrypto_refuses_our_signature_over_a_changed_payload(node: Any) -> None:
    env = message(OURS, THEIRS, "AAA", "BBB")
    token = envelope.sign(env)
    changed = tamper(token, canonical_json({**env, "payload": {"text": "hellO"}}))
    verifier = jws.JWS()
    verifier.deserialize(changed)
    verifier.allowed_algs = ["Ed25519"]
    with pytest.raises(JWException):
        verifier.verify(published_key(keys.current_signer().kid))


def peer_key() -> jwk.JWK:
    key = jwk.JWK.generate(kty="OKP", crv="Ed25519", kid=f"{THEIRS}#1")
    public = json.loads(key.export_public())
    now = timezone.now()
    keys.peer_add(
        node_id=THEIRS,
        base_url="https://node-b.test",
        states=["BBB"],
        jwks_document={
            "keys": [
                {
                    **public,
                    "nbf": int((now - dt.timedelta(days=1)).timestamp()),
                    "exp": int((now + dt.timedelta(days=30)).timestamp()),
                }
            ]
        },
        expected_fingerprint=keys.fingerprint(public),
    )
    return key


def jwcrypto_sign(key: jwk.JWK, payload: bytes, alg: str) -> str:
    signer = jws.JWS(payload)
    signer.allowed_algs = [alg]
    signer.add_signature(key, alg=alg, protected={"alg": alg, "kid": key.kid, "typ": "comity-envelope+jws"})
    return signer.serialize(compact=True)


@pytest.mark.parametrize("alg", ["EdDSA", "Ed25519"])
def test_we_verify_what_jwcrypto_signed(node: Any, alg: str) -> None:
    key = peer_key()
    env = message(THEIRS, OURS, "BBB", "AAA")
    token = jwcrypto_sign(key, canonical_json(env), alg)
    verified = envelope.verify(token, our_node_id=OURS)
    assert verified.envelope == env
    assert verified.header["alg"] == alg
    assert verified.digest == envelope.digest(token)


@pytest.mark.parametrize("alg", ["EdDSA", "Ed25519"])
def test_we_refuse_a_jwcrypto_signature_over_a_changed_payload(node: Any, alg: str) -> None:
    key = peer_key()
    env = message(THEIRS, OURS, "BBB", "AAA")
    token = jwcrypto_sign(key, canonical_json(env), alg)
    changed = tamper(token, canonical_json({**env, "payload": {"text": "changed"}}))
    with pytest.raises(envelope.EnvelopeError) as caught:
        envelope.verify(changed, our_node_id=OURS)
    assert caught.value.reason == ParkReason.BAD_SIGNATURE


def test_we_refuse_a_jwcrypto_signature_over_non_canonical_json(node: Any) -> None:
    """The signed bytes must be the canonical JSON: the same envelope with spaces is refused."""
    key = peer_key()
    env = message(THEIRS, OURS, "BBB", "AAA")
    token = jwcrypto_sign(key, json.dumps(env, indent=1).encode(), "EdDSA")
    with pytest.raises(envelope.EnvelopeError) as caught:
        envelope.verify(token, our_node_id=OURS)
    assert caught.value.reason == ParkReason.INVALID_ENVELOPE


def test_we_refuse_another_algorithm(node: Any) -> None:
    peer_key()
    env = message(THEIRS, OURS, "BBB", "AAA")
    hmac = jwk.JWK.generate(kty="oct", size=256, kid=f"{THEIRS}#1")
    token = jwcrypto_sign(hmac, canonical_json(env), "HS256")
    with pytest.raises(envelope.EnvelopeError) as caught:
        envelope.verify(token, our_node_id=OURS)
    assert caught.value.reason == ParkReason.BAD_SIGNATURE
