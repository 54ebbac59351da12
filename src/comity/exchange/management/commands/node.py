"""`comity node ...`: this node's identity and keys, its peers, and the messages that need an operator.

    comity node init --node-id ID --url URL [--validity-days N]
    comity node fingerprint [--format json]
    comity node keys list [--format json] | rotate [--validity-days N] | revoke KID
    comity node export-jwks
    comity node peers add --node-id ID --url URL --states FRA,MEX (--jwks FILE | --fetch)
                          (--fingerprint "xxxx xxxx ..." | --trust-without-fingerprint)
    comity node peers list [--format json] | remove NODE_ID | revoke-key NODE_ID KID
    comity node parked [--state FRA] [--format json]
    comity node retry MESSAGE_ID --user USERNAME [--authority CODE]
    comity node discard MESSAGE_ID --reason TEXT --user USERNAME [--authority CODE]

Exit status: 0 done, 1 refused or failed (not found, no key matches the fingerprint, network),
2 invalid input. Retry and discard act for a named person (their roles at the authority that
answers for the message decide) and are written to the State's audit trail.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from comity.accounts.principal import SESSION_AUTHORITY_KEY, Principal, principal_for_session
from comity.core.errors import ComityError, InvalidInput, NotAllowed
from comity.core.models import State
from comity.core.tenancy import state_scope, unscoped
from comity.exchange import keys, services
from comity.exchange.models import InboxMessage, InboxStatus, OutboxMessage, OutboxStatus, Peer, SigningKey

MAX_JWKS_BYTES = 256 * 1024
FETCH_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if value else None


def key_state(row: SigningKey | Any, now: dt.datetime) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if row.not_after <= now:
        return "expired"
    if row.not_before > now:
        return "not yet valid"
    return "valid"


def _fail(exc: ComityError) -> CommandError:
    if isinstance(exc, InvalidInput):
        return CommandError(f"{exc.field}: {exc.message}", returncode=2)
    return CommandError(exc.message, returncode=1)


class Command(BaseCommand):
    help = "This node's identity and keys, its peers, and the exchange messages that need an operator."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        init = sub.add_parser("init", help="create this node's identity and first signing key")
        init.add_argument("--node-id", required=True, help="this node's id, as peers will know it")
        init.add_argument("--url", required=True, help="this node's base URL (https://...)")
        init.add_argument("--validity-days", type=int, default=730, help="validity of the first key")

        fp = sub.add_parser("fingerprint", help="print the node id and the fingerprints to read to peers")
        fp.add_argument("--format", choices=["text", "json"], default="text")

        keys_parser = sub.add_parser("keys", help="our signing keys")
        keys_sub = keys_parser.add_subparsers(dest="keys_action", required=True)
        klist = keys_sub.add_parser("list", help="every key with its period and state")
        klist.add_argument("--format", choices=["text", "json"], default="text")
        rotate = keys_sub.add_parser("rotate", help="create a new key; it signs from now on")
        rotate.add_argument("--validity-days", type=int, default=730)
        revoke = keys_sub.add_parser("revoke", help="revoke a key (peers refuse what it signs)")
        revoke.add_argument("kid")

        sub.add_parser("export-jwks", help="print our public key set (JSON) for out-of-band transfer")

        peers = sub.add_parser("peers", help="the nodes we exchange with")
        peers_sub = peers.add_subparsers(dest="peers_action", required=True)
        add = peers_sub.add_parser("add", help="trust a peer after checking its fingerprint out of band")
        add.add_argument("--node-id", required=True)
        add.add_argument("--url", required=True, help="the peer's base URL")
        add.add_argument("--states", required=True, help="ISO3 codes of the States it hosts: FRA,MEX")
        source = add.add_mutually_exclusive_group(required=True)
        source.add_argument("--jwks", help="a file with the peer's key set (from `comity node export-jwks`)")
        source.add_argument("--fetch", action="store_true", help="fetch <url>/node/v1/keys")
        check = add.add_mutually_exclusive_group(required=True)
        check.add_argument("--fingerprint", help="the fingerprint the peer's operator read to you")
        check.add_argument(
            "--trust-without-fingerprint",
            action="store_true",
            help="skip the out-of-band check (test set-ups only)",
        )
        plist = peers_sub.add_parser("list", help="peers, their States and keys")
        plist.add_argument("--format", choices=["text", "json"], default="text")
        remove = peers_sub.add_parser("remove", help="stop trusting a peer")
        remove.add_argument("node_id")
        revoke_key = peers_sub.add_parser("revoke-key", help="stop trusting one key of a peer")
        revoke_key.add_argument("node_id")
        revoke_key.add_argument("kid")

        parked = sub.add_parser("parked", help="parked inbox messages and refused outbox messages")
        parked.add_argument("--state", help="ISO3 code of one hosted State (default: all)")
        parked.add_argument("--format", choices=["text", "json"], default="text")

        for name, text in (
            ("retry", "apply a parked message again, or send a refused one again"),
            ("discard", "give up on a parked or refused message"),
        ):
            action = sub.add_parser(name, help=text)
            action.add_argument("message_id")
            action.add_argument("--user", required=True, help="the username of the operator acting")
            action.add_argument("--authority", help="the authority code to act for (default: the first)")
            if name == "discard":
                action.add_argument("--reason", required=True, help="why (kept in the audit trail)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        if action == "keys":
            action = f"keys_{options['keys_action']}"
        elif action == "peers":
            action = f"peers_{options['peers_action'].replace('-', '_')}"
        try:
            getattr(self, f"do_{action}")(options)
        except ComityError as exc:
            raise _fail(exc) from None

    # --- identity and keys ------------------------------------------------------------------

    def _validity(self, days: int) -> dt.timedelta:
        if not 1 <= days <= 3650:
            raise CommandError("--validity-days: give a number of days between 1 and 3650.", returncode=2)
        return dt.timedelta(days=days)

    def do_init(self, options: dict[str, Any]) -> None:
        node = keys.node_init(
            node_id=options["node_id"],
            base_url=options["url"],
            validity=self._validity(options["validity_days"]),
        )
        self.stdout.write(f"Node {node.node_id} at {node.base_url}")
        self.do_fingerprint({"format": "text"})

    def _valid_keys(self) -> list[SigningKey]:
        now = timezone.now()
        return [k for k in SigningKey.objects.order_by("-not_before", "-pk") if key_state(k, now) == "valid"]

    def do_fingerprint(self, options: dict[str, Any]) -> None:
        node = keys.local_node()
        rows = [{"kid": k.kid, "fingerprint": keys.fingerprint(k.public_jwk)} for k in self._valid_keys()]
        if options["format"] == "json":
            self.stdout.write(
                json.dumps({"node_id": node.node_id, "base_url": node.base_url, "keys": rows}, indent=2)
            )
            return
        self.stdout.write(f"Node id: {node.node_id}")
        if not rows:
            self.stdout.write("No valid key: run `comity node keys rotate`.")
        for row in rows:
            self.stdout.write(f"{row['kid']}\n  {row['fingerprint']}")

    def do_keys_list(self, options: dict[str, Any]) -> None:
        keys.local_node()
        now = timezone.now()
        signer_kid = keys.current_signer().kid if self._valid_keys() else None
        rows = [
            {
                "kid": k.kid,
                "fingerprint": keys.fingerprint(k.public_jwk),
                "not_before": _iso(k.not_before),
                "not_after": _iso(k.not_after),
                "revoked_at": _iso(k.revoked_at),
                "state": key_state(k, now),
                "signs": k.kid == signer_kid,
            }
            for k in SigningKey.objects.order_by("-not_before", "-pk")
        ]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for row in rows:
            mark = " (signs)" if row["signs"] else ""
            revoked = f"  revoked {row['revoked_at']}" if row["revoked_at"] else ""
            self.stdout.write(
                f"{row['kid']}  {row['state']}{mark}  {row['not_before']} .. {row['not_after']}{revoked}\n"
                f"  {row['fingerprint']}"
            )

    def do_keys_rotate(self, options: dict[str, Any]) -> None:
        key = keys.key_create(validity=self._validity(options["validity_days"]))
        self.stdout.write(f"New signing key {key.kid}\n  {keys.fingerprint(key.public_jwk)}")
        self.stdout.write("Older keys keep verifying what they signed until they expire.")

    def do_keys_revoke(self, options: dict[str, Any]) -> None:
        key = keys.key_revoke(kid=options["kid"])
        self.stdout.write(f"Revoked {key.kid} at {_iso(key.revoked_at)}.")
        if not self._valid_keys():
            self.stderr.write("No valid signing key is left: run `comity node keys rotate`.")

    def do_export_jwks(self, options: dict[str, Any]) -> None:
        keys.local_node()
        self.stdout.write(json.dumps(keys.jwks(), indent=2, sort_keys=True))

    # --- peers ------------------------------------------------------------------------------

    def _read_jwks(self, options: dict[str, Any]) -> dict[str, Any]:
        if options["jwks"]:
            path = Path(options["jwks"])
            try:
                if path.stat().st_size > MAX_JWKS_BYTES:
                    raise CommandError(f"{path}: larger than {MAX_JWKS_BYTES} bytes.", returncode=2)
                raw = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror or exc}", returncode=2) from None
            where = str(path)
        else:
            url = str(options["url"]).rstrip("/") + "/node/v1/keys"
            try:
                response = httpx.get(url, timeout=FETCH_TIMEOUT, follow_redirects=False)
            except httpx.HTTPError as exc:
                raise CommandError(f"Could not fetch {url}: {exc}", returncode=1) from None
            if response.status_code != 200:
                raise CommandError(f"{url} answered HTTP {response.status_code}.", returncode=1)
            raw = response.content[: MAX_JWKS_BYTES + 1]
            if len(raw) > MAX_JWKS_BYTES:
                raise CommandError(f"{url}: the key set is larger than {MAX_JWKS_BYTES} bytes.", returncode=1)
            where = url
        try:
            document = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise CommandError(f"{where}: not JSON.", returncode=2) from None
        if not isinstance(document, dict):
            raise CommandError(f'{where}: expected a key set {{"keys": [...]}}.', returncode=2)
        return document

    def do_peers_add(self, options: dict[str, Any]) -> None:
        expected = options["fingerprint"]
        if expected is not None:
            compact = expected.replace(" ", "").replace(":", "").lower()
            if len(compact) != 64 or any(c not in "0123456789abcdef" for c in compact):
                raise CommandError(
                    "--fingerprint: give the 64 hex digits the peer's operator read to you.", returncode=2
                )
        document = self._read_jwks(options)
        try:
            peer = keys.peer_add(
                node_id=options["node_id"],
                base_url=options["url"],
                states=options["states"].split(","),
                jwks_document=document,
                expected_fingerprint=expected,
            )
        except InvalidInput as exc:
            # A fingerprint that matches no key is a refusal, not a typo: exit 1.
            raise CommandError(
                f"{exc.field}: {exc.message}", returncode=1 if exc.field == "fingerprint" else 2
            ) from None
        if expected is None:
            self.stderr.write("Warning: added WITHOUT an out-of-band fingerprint check.")
        self.stdout.write(f"Peer {peer.node_id} ({', '.join(peer.states)}) at {peer.base_url}")
        for key in peer.keys.order_by("not_before", "pk"):
            self.stdout.write(f"{key.kid}\n  {keys.fingerprint(key.public_jwk)}")

    def do_peers_list(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        rows = [
            {
                "node_id": p.node_id,
                "url": p.base_url,
                "states": p.states,
                "active": p.active,
                "keys": [
                    {
                        "kid": k.kid,
                        "fingerprint": keys.fingerprint(k.public_jwk),
                        "not_before": _iso(k.not_before),
                        "not_after": _iso(k.not_after),
                        "revoked_at": _iso(k.revoked_at),
                        "state": key_state(k, now),
                    }
                    for k in sorted(p.keys.all(), key=lambda k: (k.not_before, k.pk))
                ],
            }
            for p in Peer.objects.prefetch_related("keys").order_by("node_id")
        ]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No peers.")
        for row in rows:
            status = "" if row["active"] else "  (removed)"
            self.stdout.write(f"{row['node_id']}  {','.join(row['states'])}  {row['url']}{status}")
            for k in row["keys"]:
                self.stdout.write(f"  {k['kid']}  {k['state']}\n    {k['fingerprint']}")

    def do_peers_remove(self, options: dict[str, Any]) -> None:
        peer = services.peer_deactivate(node_id=options["node_id"])
        self.stdout.write(f"Peer {peer.node_id} removed: its keys are no longer trusted.")

    def do_peers_revoke_key(self, options: dict[str, Any]) -> None:
        key = keys.peer_key_revoke(node_id=options["node_id"], kid=options["kid"])
        self.stdout.write(f"Key {key.kid} of {options['node_id']} revoked at {_iso(key.revoked_at)}.")

    # --- messages that need an operator ---------------------------------------------------------

    def do_parked(self, options: dict[str, Any]) -> None:
        state_code = (options["state"] or "").strip().upper()
        if state_code and not State.objects.filter(code=state_code).exists():
            raise CommandError(f"--state: unknown State {options['state']!r}.", returncode=2)
        with unscoped(reason="operator command: list the messages that need an operator on this node"):
            inbox = InboxMessage.objects.filter(status=InboxStatus.PARKED).select_related("state")
            outbox = OutboxMessage.objects.filter(status=OutboxStatus.REJECTED).select_related("state")
            if state_code:
                inbox = inbox.filter(state__code=state_code)
                outbox = outbox.filter(state__code=state_code)
            rows = [
                {
                    "direction": "inbox",
                    "message_id": str(m.message_id),
                    "state": m.state.code,
                    "other_state": m.from_state,
                    "node": m.from_node,
                    "type": m.type,
                    "seq": m.seq,
                    "reason": m.park_reason,
                    "detail": m.park_detail,
                    "at": _iso(m.received_at),
                }
                for m in inbox.order_by("received_at", "pk")
            ] + [
                {
                    "direction": "outbox",
                    "message_id": str(m.message_id),
                    "state": m.state.code,
                    "other_state": m.to_state,
                    "node": m.to_node,
                    "type": m.type,
                    "seq": m.seq,
                    "reason": str((m.receipt.get("payload") or {}).get("reason") or "refused"),
                    "detail": m.last_error,
                    "at": _iso(m.created_at),
                }
                for m in outbox.order_by("created_at", "pk")
            ]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("Nothing parked or refused.")
        for row in rows:
            arrow = "<-" if row["direction"] == "inbox" else "->"
            self.stdout.write(
                f"{row['direction']} {row['message_id']} {row['state']} {arrow} {row['other_state']} "
                f"{row['type']} #{row['seq']}  {row['reason']}: {row['detail']}"
            )
        self.stdout.write(f"{len(rows)} message(s).")

    def _find(self, message_id: str) -> InboxMessage | OutboxMessage:
        try:
            wanted = uuid.UUID(message_id)
        except ValueError:
            raise CommandError(f"{message_id!r} is not a message id (UUID).", returncode=2) from None
        with unscoped(reason="operator command: find which State a message belongs to"):
            found: InboxMessage | OutboxMessage | None = (
                InboxMessage.objects.filter(message_id=wanted).first()
                or OutboxMessage.objects.filter(message_id=wanted).first()
            )
        if found is None:
            raise CommandError(f"No message {message_id}.", returncode=1)
        return found

    def _principal(self, options: dict[str, Any]) -> Principal:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"--user: no active user {options['user']!r}.", returncode=2)
        session = {SESSION_AUTHORITY_KEY: options["authority"]} if options["authority"] else {}
        principal = principal_for_session(user, session)
        if principal.authority is None:
            raise CommandError(
                f"--user: {user.get_username()} has no active membership (with a second factor).",
                returncode=2,
            )
        if options["authority"] and principal.authority.code != options["authority"]:
            raise CommandError(
                f"--authority: {user.get_username()} is not a member of {options['authority']!r}.",
                returncode=2,
            )
        return principal

    def _act(self, options: dict[str, Any], discard: bool) -> None:
        found = self._find(options["message_id"])
        actor = self._principal(options)
        with state_scope(found.state_id):
            try:
                if isinstance(found, InboxMessage):
                    if discard:
                        result: Any = services.inbox_message_discard(
                            actor=actor, message=found, reason=options["reason"]
                        )
                    else:
                        result = services.inbox_message_retry(actor=actor, message=found)
                elif discard:
                    result = services.outbox_message_discard(
                        actor=actor, message=found, reason=options["reason"]
                    )
                else:
                    result = services.outbox_message_retry(actor=actor, message=found)
            except NotAllowed:
                raise CommandError(
                    f"{actor.user.get_username()} at {actor.authority.code if actor.authority else '-'} "
                    "may not act on this message.",
                    returncode=1,
                ) from None
        if isinstance(result, InboxMessage) and result.status == InboxStatus.PARKED:
            self.stdout.write(f"Still parked: {result.park_reason}: {result.park_detail}")
            raise SystemExit(1)
        self.stdout.write(f"Message {result.message_id}: {result.get_status_display()}.")

    def do_retry(self, options: dict[str, Any]) -> None:
        self._act(options, discard=False)

    def do_discard(self, options: dict[str, Any]) -> None:
        self._act(options, discard=True)
