"""The attachment upload endpoint `/node/v1/blobs/<sha256>` and the public node endpoints.

Only a trusted peer, with a fresh token for exactly this upload, may write; an upload resumes at
the offset the node reports; a file that does not match its digest is thrown away; nothing
State-owned is shown by `/node/v1/info` or `/node/v1/keys`.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import OKPKey

from comity.exchange import blobs
from comity.exchange.models import ReceivedBlob
from comity.lib.canonical import canonical_json
from tests.exchange import test_rejections
from tests.exchange.test_rejections import PEER, US, Node

pytestmark = pytest.mark.django_db
node = test_rejections.node  # the receiving node BBB and its peer AAA

DATA = b"statement of account " * 1000
SHA = hashlib.sha256(DATA).hexdigest()


def token(
    node: Node, *, sha256: str = SHA, size: int = len(DATA), key: OKPKey | None = None, **claims: Any
) -> str:
    body = {
        "iss": PEER,
        "aud": US,
        "to_state": "BBB",
        "sha256": sha256,
        "size": size,
        "exp": int(timezone.now().timestamp()) + 60,
        **claims,
    }
    header = {"alg": "Ed25519", "kid": node.signer.kid, "typ": blobs.BLOB_TYP}
    return jws.serialize_compact(header, canonical_json(body), key or node.signer.key, algorithms=["Ed25519"])


def call(
    node: Node, method: str, auth: str | None, *, body: bytes = b"", offset: int = 0, sha: str = SHA
) -> Any:
    headers: dict[str, str] = {"HTTP_UPLOAD_OFFSET": str(offset)}
    if auth is not None:
        headers["HTTP_AUTHORIZATION"] = f"Comity-JWS {auth}"
    url = f"/node/v1/blobs/{sha}?to_state=BBB&size={len(DATA)}"
    if method == "HEAD":
        return node.client.head(url, **headers)
    return node.client.generic("PATCH", url, data=body, content_type="application/octet-stream", **headers)


@pytest.mark.parametrize(
    "make_token",
    [
        lambda node: None,
        lambda node: "not-a-token",
        lambda node: token(node, key=OKPKey.generate_key("Ed25519")),
        lambda node: token(node, sha256="0" * 64),
        lambda node: token(node, aud="someone.else"),
        lambda node: token(node, exp=int(timezone.now().timestamp()) - 1),
    ],
    ids=["no token", "garbage", "other key", "other file", "other node", "expired"],
)
def test_only_a_fresh_token_of_a_trusted_peer_for_this_upload_may_write(node: Node, make_token: Any) -> None:
    response = call(node, "PATCH", make_token(node), body=DATA)
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert not ReceivedBlob.objects.exists()


def test_an_upload_resumes_at_the_offset_the_node_reports(node: Node) -> None:
    first = call(node, "PATCH", token(node), body=DATA[:5000], offset=0)
    assert (first.status_code, first["Upload-Offset"], first["Upload-Complete"]) == (204, "5000", "0")
    wrong = call(node, "PATCH", token(node), body=DATA[100:200], offset=100)
    assert (wrong.status_code, wrong["Upload-Offset"]) == (409, "5000")
    head = call(node, "HEAD", token(node))
    assert (head.status_code, head["Upload-Offset"]) == (200, "5000")
    rest = call(node, "PATCH", token(node), body=DATA[5000:], offset=5000)
    assert (rest.status_code, rest["Upload-Complete"]) == (204, "1")
    assert blobs.is_complete(to_state="BBB", from_node=PEER, sha256=SHA)
    assert b"".join(blobs.read_staged(to_state="BBB", from_node=PEER, sha256=SHA)) == DATA


def test_a_file_that_does_not_match_its_digest_is_thrown_away(node: Node) -> None:
    forged = b"x" * len(DATA)
    response = call(node, "PATCH", token(node), body=forged)
    assert response.status_code == 422
    assert response.json()["error"] == "digest_mismatch"
    assert not ReceivedBlob.objects.exists()
    assert not blobs.staged_path(to_state="BBB", from_node=PEER, sha256=SHA).exists()


def test_an_upload_for_a_state_not_hosted_here_is_refused(node: Node) -> None:
    response = node.client.head(
        f"/node/v1/blobs/{SHA}?to_state=AAA&size={len(DATA)}", HTTP_AUTHORIZATION=f"Comity-JWS {token(node)}"
    )
    assert response.status_code == 422
    assert not ReceivedBlob.objects.exists()


def test_info_and_keys_show_the_node_and_public_keys_only(node: Node) -> None:
    info = node.client.get("/node/v1/info").json()
    assert (info["node_id"], info["states"]) == (US, ["BBB"])
    published = node.client.get("/node/v1/keys").json()["keys"]
    assert published
    assert all(set(k) <= {"kty", "crv", "x", "kid", "use", "alg", "nbf", "exp", "revoked"} for k in published)
    assert all("d" not in k for k in published)
