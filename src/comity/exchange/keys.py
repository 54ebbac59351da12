"""This node's identity and Ed25519 signing keys; the public keys of peers.

Keys are JWK (RFC 8037, `kty` OKP, `crv` Ed25519) with a `kid` and a validity period. Private
keys are stored encrypted (Fernet, key derived from SECRET_KEY with a purpose label), so a copy
of the database alone cannot sign. A fingerprint is the SHA-256 JWK thumbprint (RFC 7638) of a
public key, shown in groups of four hex digits for reading aloud during the out-of-band check.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from joserfc.jwk import OKPKey

from comity.core.errors import InvalidInput, NotFound
from comity.exchange.models import NodeIdentity, Peer, PeerKey, SigningKey
from comity.lib.canonical import canonical_json
from comity.lib.ids import random_code

DEFAULT_VALIDITY = dt.timedelta(days=730)


def _fernet() -> Fernet:
    key = hashlib.sha256(b"comity.exchange.signing-keys\x00" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def public_jwk(key: OKPKey, *, kid: str) -> dict[str, Any]:
    data = dict(key.as_dict(private=False))
    return {"kty": "OKP", "crv": "Ed25519", "x": data["x"], "kid": kid, "use": "sig", "alg": "Ed25519"}


def import_public(jwk: dict[str, Any]) -> OKPKey:
    if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise InvalidInput("jwk", "Only Ed25519 public keys (kty OKP, crv Ed25519) are accepted.")
    if "d" in jwk:
        raise InvalidInput("jwk", "This is a private key: give the public key only.")
    try:
        return OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": str(jwk["x"])})
    except Exception as exc:
        raise InvalidInput("jwk", f"Not a valid Ed25519 public key: {exc}") from None


def fingerprint(jwk: dict[str, Any]) -> str:
    """SHA-256 JWK thumbprint (RFC 7638) in hex, grouped by four."""
    canonical = canonical_json({"crv": "Ed25519", "kty": "OKP", "x": jwk["x"]})
    digest = hashlib.sha256(canonical).hexdigest()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def local_node() -> NodeIdentity:
    node = local_node_or_none()
    if node is None:
        raise NotFound("This node has no identity yet: run `comity node init`.")
    return node


# Within one batch (`batch()`: one post received, one enqueued message, one claim of the
# delivery worker, or one post of a sender thread), the node identity, the keys and the peer are
# read once, not once per check: a change made meanwhile is seen by the next batch.
_batch: ContextVar[dict[Any, Any] | None] = ContextVar("comity_exchange_key_batch", default=None)
_MISSING = object()


@contextmanager
def batch() -> Iterator[None]:
    if _batch.get() is not None:
        yield
        return
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def _memo(key: Any, load: Callable[[], Any]) -> Any:
    memo = _batch.get()
    if memo is None:
        return load()
    value = memo.get(key, _MISSING)
    if value is _MISSING:
        value = memo[key] = load()
    return value


def remembered(key: Any, load: Callable[[], Any]) -> Any:
    """`load()`, read once per batch (see `batch`); outside a batch, read every time."""
    return _memo(("remembered", key), load)


def _forget() -> None:
    memo = _batch.get()
    if memo is not None:
        memo.clear()


def local_node_or_none() -> NodeIdentity | None:
    return _memo("node", NodeIdentity.objects.first)


@transaction.atomic
def node_init(*, node_id: str, base_url: str, validity: dt.timedelta = DEFAULT_VALIDITY) -> NodeIdentity:
    """Create this node's identity and first signing key (idempotent for the same node id)."""
    _forget()
    node_id = (node_id or "").strip()
    if not node_id or len(node_id) > 100 or any(c.isspace() for c in node_id):
        raise InvalidInput("node_id", "Give a node id without spaces (at most 100 characters).")
    base_url = (base_url or "").strip().rstrip("/")
    if not base_url.startswith(("https://", "http://")):
        raise InvalidInput("base_url", "Give the node's base URL (https://...).")
    node = NodeIdentity.objects.select_for_update().first()
    if node is not None and node.node_id != node_id:
        raise InvalidInput("node_id", f"This node is already initialised as {node.node_id!r}.")
    if node is None:
        node = NodeIdentity.objects.create(node_id=node_id, base_url=base_url)
    elif node.base_url != base_url:
        node.base_url = base_url
        node.save(update_fields=["base_url"])
    if not SigningKey.objects.filter(revoked_at__isnull=True).exists():
        key_create(validity=validity)
    return node


@transaction.atomic
def key_create(
    *, validity: dt.timedelta = DEFAULT_VALIDITY, not_before: dt.datetime | None = None
) -> SigningKey:
    """A new signing key (rotation: the newest valid key signs; older ones keep verifying)."""
    _forget()
    node = local_node()
    key = OKPKey.generate_key("Ed25519")
    kid = f"{node.node_id}#{timezone.now():%Y%m%d}-{random_code(6)}"
    # Whole seconds, as the key set publishes nbf/exp: a message signed in the key's first second
    # (created has milliseconds) is within its validity here and at every peer.
    start = (not_before or timezone.now()).replace(microsecond=0)
    private = key.as_dict(private=True)
    return SigningKey.objects.create(
        kid=kid,
        public_jwk=public_jwk(key, kid=kid),
        private_jwk_encrypted=_fernet()
        .encrypt(str(private["d"]).encode() + b"." + str(private["x"]).encode())
        .decode(),
        not_before=start,
        not_after=start + validity,
    )


@transaction.atomic
def key_revoke(*, kid: str) -> SigningKey:
    _forget()
    key = SigningKey.objects.select_for_update().filter(kid=kid).first()
    if key is None:
        raise NotFound(f"No signing key {kid!r}.")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


@dataclass(frozen=True)
class Signer:
    kid: str
    key: OKPKey


_signer_cache: dict[str, Signer] = {}


def current_signer(at: dt.datetime | None = None) -> Signer:
    """The newest key valid now and not revoked."""

    def load(at: dt.datetime) -> SigningKey | None:
        return (
            SigningKey.objects.filter(revoked_at__isnull=True, not_before__lte=at, not_after__gt=at)
            .order_by("-not_before", "-pk")
            .first()
        )

    row = load(at) if at is not None else _memo("signer", lambda: load(timezone.now()))
    if row is None:
        raise NotFound("No valid signing key: run `comity node init` or `comity node keys rotate`.")
    cached = _signer_cache.get(row.kid)
    if cached is not None:
        return cached
    d, x = _fernet().decrypt(row.private_jwk_encrypted.encode()).decode().split(".")
    signer = Signer(kid=row.kid, key=OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "d": d, "x": x}))
    _signer_cache[row.kid] = signer
    return signer


def jwks() -> dict[str, Any]:
    """Our public keys (valid, expired and revoked, with their periods) as published to peers."""
    keys = []
    for row in SigningKey.objects.order_by("not_before", "pk"):
        keys.append(
            {
                **row.public_jwk,
                "nbf": int(row.not_before.timestamp()),
                "exp": int(row.not_after.timestamp()),
                **({"revoked": int(row.revoked_at.timestamp())} if row.revoked_at else {}),
            }
        )
    return {"keys": keys}


@dataclass(frozen=True)
class TrustedKey:
    node_id: str
    kid: str
    key: OKPKey
    not_before: dt.datetime
    not_after: dt.datetime
    revoked_at: dt.datetime | None


def trusted_key(*, node_id: str, kid: str) -> TrustedKey | None:
    """A key we trust for `node_id`: a peer's key, or one of our own (hub mode, local delivery)."""
    return _memo(("trusted", node_id, kid), lambda: _trusted_key(node_id, kid))


def _trusted_key(node_id: str, kid: str) -> TrustedKey | None:
    node = local_node_or_none()
    if node is not None and node.node_id == node_id:
        own = SigningKey.objects.filter(kid=kid).first()
        if own is None:
            return None
        return TrustedKey(
            node_id, kid, import_public(own.public_jwk), own.not_before, own.not_after, own.revoked_at
        )
    row = (
        PeerKey.objects.select_related("peer")
        .filter(peer__node_id=node_id, peer__active=True, kid=kid)
        .first()
    )
    if row is None:
        return None
    memo = _batch.get()
    if memo is not None:  # the peer's States came with its key: `peer_states` needs no query
        memo.setdefault(("states", node_id), [str(code) for code in row.peer.states or []])
    return TrustedKey(
        node_id, kid, import_public(row.public_jwk), row.not_before, row.not_after, row.revoked_at
    )


def peer_states(node_id: str) -> list[str]:
    """The States a peer speaks for (set when it was added); empty for an unknown node."""

    def load() -> list[str]:
        states = Peer.objects.filter(node_id=node_id).values_list("states", flat=True).first()
        return [str(code) for code in states or []]

    return list(_memo(("states", node_id), load))


def _parse_time(value: Any, field: str) -> dt.datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:
                return parsed
    raise InvalidInput(field, "Give a time as an ISO 8601 date-time with a zone, or a Unix timestamp.")


@transaction.atomic
def peer_add(
    *,
    node_id: str,
    base_url: str,
    states: list[str],
    jwks_document: dict[str, Any],
    expected_fingerprint: str | None = None,
    added_by: Any = None,
) -> Peer:
    """Trust a peer and its keys. With `expected_fingerprint`, one of its keys must match it.

    Adding an existing peer again updates its URL and States and adds keys it did not have; a
    key already known is never replaced (a changed key under an old kid is refused).
    """
    _forget()
    from comity.core.models import State

    node_id = (node_id or "").strip()
    if not node_id or any(c.isspace() for c in node_id):
        raise InvalidInput("node_id", "Give the peer's node id.")
    own = local_node_or_none()
    if own is not None and own.node_id == node_id:
        raise InvalidInput("node_id", "That is this node's own id.")
    base_url = (base_url or "").strip().rstrip("/")
    if not base_url.startswith(("https://", "http://")):
        raise InvalidInput("base_url", "Give the peer's base URL (https://...).")
    codes = sorted({str(s).strip().upper() for s in states if str(s).strip()})
    if not codes:
        raise InvalidInput("states", "Name at least one State the peer hosts.")
    known = set(State.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput("states", f"Unknown State code(s): {', '.join(unknown)}.")
    hosted = set(getattr(settings, "COMITY_HOSTED_STATES", []) or [])
    clash = hosted & set(codes)
    if clash:
        raise InvalidInput("states", f"This node hosts {', '.join(sorted(clash))} itself.")
    entries = jwks_document.get("keys") if isinstance(jwks_document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InvalidInput("jwks", 'Give the peer\'s key set: {"keys": [...]}.')
    parsed: list[tuple[dict[str, Any], dt.datetime, dt.datetime, dt.datetime | None]] = []
    for index, jwk in enumerate(entries):
        if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str) or not jwk["kid"]:
            raise InvalidInput(f"jwks.keys[{index}]", "Each key needs a kid.")
        import_public(jwk)
        nbf = _parse_time(jwk.get("nbf"), f"jwks.keys[{index}].nbf")
        exp = _parse_time(jwk.get("exp"), f"jwks.keys[{index}].exp")
        if exp <= nbf:
            raise InvalidInput(f"jwks.keys[{index}]", "The key's validity period is empty.")
        revoked = _parse_time(jwk["revoked"], f"jwks.keys[{index}].revoked") if jwk.get("revoked") else None
        parsed.append((jwk, nbf, exp, revoked))
    if expected_fingerprint is not None:
        wanted = expected_fingerprint.replace(" ", "").replace(":", "").lower()
        if not any(fingerprint(j).replace(" ", "") == wanted for j, *_ in parsed):
            raise InvalidInput(
                "fingerprint",
                "No key of this peer has that fingerprint: do not add it; check with its operator.",
            )
    peer, _created = Peer.objects.select_for_update().get_or_create(
        node_id=node_id, defaults={"base_url": base_url, "states": codes, "added_by": added_by}
    )
    if (peer.base_url, peer.states, peer.active) != (base_url, codes, True):
        peer.base_url, peer.states, peer.active = base_url, codes, True
        peer.save(update_fields=["base_url", "states", "active"])
    for jwk, nbf, exp, revoked in parsed:
        public = {"kty": "OKP", "crv": "Ed25519", "x": jwk["x"], "kid": jwk["kid"]}
        existing = PeerKey.objects.filter(peer=peer, kid=jwk["kid"]).first()
        if existing is None:
            PeerKey.objects.create(
                peer=peer,
                kid=jwk["kid"],
                public_jwk=public,
                not_before=nbf,
                not_after=exp,
                revoked_at=revoked,
            )
            continue
        if existing.public_jwk.get("x") != jwk["x"]:
            raise InvalidInput("jwks", f"Key {jwk['kid']!r} is already known with different key material.")
        if revoked and existing.revoked_at is None:
            existing.revoked_at = revoked
            existing.save(update_fields=["revoked_at"])
    return peer


@transaction.atomic
def peer_key_revoke(*, node_id: str, kid: str) -> PeerKey:
    _forget()
    row = PeerKey.objects.select_for_update().filter(peer__node_id=node_id, kid=kid).first()
    if row is None:
        raise NotFound(f"No key {kid!r} for peer {node_id!r}.")
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
    return row
