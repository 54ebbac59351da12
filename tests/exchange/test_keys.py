"""Node keys: fingerprints, rotation, revocation, expiry, and trusting a peer's keys.

Every verification goes through envelope.verify, the function the inbox uses."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import uuid
from typing import Any

import pytest
from django.utils import timezone
from joserfc.jwk import OKPKey
from jwcrypto import jwk as jwcrypto_jwk

from comity.core.errors import InvalidInput, NotFound
from comity.exchange import envelope, keys
from comity.exchange.models import ParkReason, PeerKey, SigningKey

pytestmark = pytest.mark.django_db

NODE = "node-a.test"


@pytest.fixture
def node(world: Any, settings: Any) -> Any:
    settings.COMITY_HOSTED_STATES = ["AAA"]
    return keys.node_init(node_id=NODE, base_url="https://node-a.test")


def own_envelope(created: dt.datetime | None = None, **extra: Any) -> dict[str, Any]:
    """A message from this node to itself (hub delivery): verified with our own keys."""
    return envelope.build(
        type="note",
        from_node=NODE,
        to_node=NODE,
        from_state="AAA",
        to_state="AAA",
        request_id=uuid.uuid4(),
        seq=1,
        payload={"text": "hello"},
        created=created.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        if created
        else None,
        **extra,
    )


def reason_of(token: str, node_id: str = NODE, **kwargs: Any) -> str | None:
    try:
        envelope.verify(token, our_node_id=node_id, **kwargs)
    except envelope.EnvelopeError as exc:
        return str(exc.reason)
    return None


# --- fingerprints ---------------------------------------------------------------------------


def test_fingerprint_is_the_rfc7638_sha256_thumbprint_in_groups_of_four(node: Any) -> None:
    key = SigningKey.objects.get()
    printed = keys.fingerprint(key.public_jwk)
    assert re.fullmatch(r"([0-9a-f]{4} ){15}[0-9a-f]{4}", printed)
    # jwcrypto computes the thumbprint independently (base64url of the SHA-256).
    public = jwcrypto_jwk.JWK(**{k: key.public_jwk[k] for k in ("kty", "crv", "x")})
    thumbprint = base64.urlsafe_b64decode(public.thumbprint() + "==")
    assert printed.replace(" ", "") == thumbprint.hex()
    # RFC 7638 by hand: the required members only, sorted, no whitespace.
    members = f'{{"crv":"Ed25519","kty":"OKP","x":"{key.public_jwk["x"]}"}}'.encode()
    assert printed.replace(" ", "") == hashlib.sha256(members).hexdigest()


def test_the_private_key_is_not_stored_in_clear(node: Any) -> None:
    key = SigningKey.objects.get()
    d = keys.current_signer().key.as_dict(private=True)["d"]
    assert d not in key.private_jwk_encrypted
    assert "d" not in key.public_jwk
    assert all("d" not in k for k in keys.jwks()["keys"])


def test_node_init_is_idempotent_and_refuses_another_id(node: Any) -> None:
    keys.node_init(node_id=NODE, base_url="https://node-a.test")
    assert SigningKey.objects.count() == 1
    with pytest.raises(InvalidInput, match="already initialised"):
        keys.node_init(node_id="other", base_url="https://node-a.test")


# --- rotation, revocation, expiry -----------------------------------------------------------


def test_after_rotation_the_new_key_signs_and_the_old_one_still_verifies(node: Any) -> None:
    old_kid = keys.current_signer().kid
    signed_before = envelope.sign(own_envelope())
    new = keys.key_create()
    assert keys.current_signer().kid == new.kid != old_kid
    signed_after = envelope.sign(own_envelope())
    assert envelope.peek(signed_after)[0]["kid"] == new.kid
    assert reason_of(signed_before) is None
    assert reason_of(signed_after) is None
    assert [k["kid"] for k in keys.jwks()["keys"]] == [old_kid, new.kid]


def test_a_key_is_valid_from_the_whole_second_its_key_set_publishes(node: Any) -> None:
    """A message signed in the key's first second (created in milliseconds) is within its
    validity: the stored start is the published nbf, not a later instant of that second."""
    start = timezone.now().replace(microsecond=999_000)
    new = keys.key_create(not_before=start)
    assert new.not_before == start.replace(microsecond=0)
    published = next(k for k in keys.jwks()["keys"] if k["kid"] == new.kid)
    assert published["nbf"] == int(new.not_before.timestamp())
    assert new.not_after - new.not_before == keys.DEFAULT_VALIDITY


def test_a_revoked_key_is_refused_and_no_longer_signs(node: Any) -> None:
    old_kid = keys.current_signer().kid
    token = envelope.sign(own_envelope())
    keys.key_revoke(kid=old_kid)
    assert reason_of(token) == ParkReason.KEY_REVOKED
    with pytest.raises(NotFound, match="No valid signing key"):
        keys.current_signer()
    assert keys.jwks()["keys"][0]["revoked"] > 0


def test_revoking_an_unknown_key_is_not_found(node: Any) -> None:
    with pytest.raises(NotFound):
        keys.key_revoke(kid="nope")


def test_an_expired_key_verifies_what_it_signed_while_valid_but_nothing_created_later(node: Any) -> None:
    now = timezone.now()
    SigningKey.objects.all().delete()
    expired = keys.key_create(validity=dt.timedelta(days=10), not_before=now - dt.timedelta(days=20))
    signer = keys.current_signer(at=now - dt.timedelta(days=15))
    assert signer.kid == expired.kid
    within = envelope.sign(own_envelope(created=now - dt.timedelta(days=15)), signer)
    after = envelope.sign(own_envelope(created=now - dt.timedelta(days=5)), signer)
    before = envelope.sign(own_envelope(created=now - dt.timedelta(days=25)), signer)
    assert reason_of(within) is None
    assert reason_of(after) == ParkReason.KEY_NOT_VALID
    assert reason_of(before) == ParkReason.KEY_NOT_VALID
    with pytest.raises(NotFound):
        keys.current_signer()


def test_a_message_from_the_future_is_refused(node: Any) -> None:
    token = envelope.sign(own_envelope(created=timezone.now() + dt.timedelta(hours=1)))
    assert reason_of(token) == ParkReason.INVALID_ENVELOPE


def test_a_message_for_another_node_is_refused(node: Any) -> None:
    assert reason_of(envelope.sign(own_envelope()), node_id="someone-else") == ParkReason.WRONG_RECIPIENT


# --- peers ----------------------------------------------------------------------------------


def peer_jwks(key: OKPKey, kid: str = "peer-b#1", **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "keys": [
            {
                **keys.public_jwk(key, kid=kid),
                "nbf": int((now - dt.timedelta(days=1)).timestamp()),
                "exp": int((now + dt.timedelta(days=365)).timestamp()),
                **extra,
            }
        ]
    }


def add_peer(document: dict[str, Any], fingerprint: str | None) -> Any:
    return keys.peer_add(
        node_id="peer-b",
        base_url="https://peer-b.test/",
        states=["bbb"],
        jwks_document=document,
        expected_fingerprint=fingerprint,
    )


def peer_token(key: OKPKey, kid: str = "peer-b#1") -> str:
    message = envelope.build(
        type="note",
        from_node="peer-b",
        to_node=NODE,
        from_state="BBB",
        to_state="AAA",
        request_id=uuid.uuid4(),
        seq=1,
        payload={"text": "from B"},
    )
    return envelope.sign(message, keys.Signer(kid=kid, key=key))


def test_a_peer_is_added_when_the_fingerprint_matches(node: Any) -> None:
    key = OKPKey.generate_key("Ed25519")
    document = peer_jwks(key)
    printed = keys.fingerprint(document["keys"][0])
    # Read aloud, typed with colons or in capitals: the same fingerprint.
    peer = add_peer(document, printed.upper().replace(" ", ":"))
    assert (peer.node_id, peer.base_url, peer.states, peer.active) == (
        "peer-b",
        "https://peer-b.test",
        ["BBB"],
        True,
    )
    assert list(PeerKey.objects.values_list("kid", flat=True)) == ["peer-b#1"]
    assert reason_of(peer_token(key)) is None


def test_a_wrong_fingerprint_adds_nothing(node: Any) -> None:
    key = OKPKey.generate_key("Ed25519")
    other = keys.fingerprint(keys.public_jwk(OKPKey.generate_key("Ed25519"), kid="x"))
    with pytest.raises(InvalidInput, match="No key of this peer has that fingerprint"):
        add_peer(peer_jwks(key), other)
    assert PeerKey.objects.count() == 0
    assert reason_of(peer_token(key)) == ParkReason.UNKNOWN_SENDER


def test_a_changed_key_under_a_known_kid_is_refused(node: Any) -> None:
    key = OKPKey.generate_key("Ed25519")
    add_peer(peer_jwks(key), keys.fingerprint(peer_jwks(key)["keys"][0]))
    impostor = OKPKey.generate_key("Ed25519")
    with pytest.raises(InvalidInput, match="already known with different key material"):
        add_peer(peer_jwks(impostor), None)
    assert PeerKey.objects.get().public_jwk["x"] == keys.public_jwk(key, kid="k")["x"]
    # The impostor's signature under the known kid does not verify.
    assert reason_of(peer_token(impostor)) == ParkReason.BAD_SIGNATURE


def test_a_peer_key_set_with_a_private_key_is_refused(node: Any) -> None:
    key = OKPKey.generate_key("Ed25519")
    document = peer_jwks(key, d=key.as_dict(private=True)["d"])
    with pytest.raises(InvalidInput, match="private key"):
        add_peer(document, None)


def test_unknown_and_revoked_peer_keys_are_refused(node: Any) -> None:
    key = OKPKey.generate_key("Ed25519")
    add_peer(peer_jwks(key), None)
    assert reason_of(peer_token(OKPKey.generate_key("Ed25519"), kid="peer-b#2")) == ParkReason.UNKNOWN_KEY
    keys.peer_key_revoke(node_id="peer-b", kid="peer-b#1")
    assert reason_of(peer_token(key)) == ParkReason.KEY_REVOKED


def test_a_peer_cannot_claim_a_state_this_node_hosts(node: Any) -> None:
    key = OKPKey.generate_key("Ed25519")
    with pytest.raises(InvalidInput, match="hosts AAA itself"):
        keys.peer_add(
            node_id="peer-b", base_url="https://peer-b.test", states=["AAA"], jwks_document=peer_jwks(key)
        )
