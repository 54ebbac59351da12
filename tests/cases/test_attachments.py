"""Attachments: encrypted, content-addressed storage (round trips, tampering, truncation,
reordering, wrong and rotated keys, dedup, size limit), the services (every download audited)
and the views (leaks to another State, another authority, an unassigned executing officer)."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.urls import reverse

from comity.cases.attachments import access_attachment, attachment_add, attachment_open
from comity.cases.enums import Direction, EventKind, RequestStatus
from comity.cases.models import Attachment, Request, RequestEvent
from comity.cases.storage import (
    CHUNK_SIZE,
    NONCE_BYTES,
    TAG_BYTES,
    AttachmentTooLarge,
    AttachmentUnreadable,
    blob_path,
    open_blob,
    store_blob,
)
from comity.core.enums import Role
from comity.core.errors import InvalidInput, NotAllowed
from comity.core.models import AuditEvent
from comity.core.tenancy import state_scope, unscoped
from tests.conftest import logged_in, principal
from tests.factories import World, make_world, member

pytestmark = pytest.mark.django_db

KEY_1 = ("k1", bytes(range(32)))
KEY_2 = ("k2", bytes(range(32, 64)))
RECORD = NONCE_BYTES + CHUNK_SIZE + TAG_BYTES


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.COMITY_ATTACHMENT_KEYS = [KEY_1]
    settings.COMITY_ATTACHMENT_MAX_BYTES = 1024 * 1024


def header_size(key_id: str = "k1") -> int:
    return 8 + 1 + len(key_id) + 16 + 4


def store(data: bytes, state: str = "AAA", piece: int = 10_000) -> str:
    return store_blob(
        state_code=state, chunks=(data[i : i + piece] for i in range(0, len(data), piece))
    ).sha256


def read(sha: str, state: str = "AAA") -> bytes:
    return b"".join(open_blob(state_code=state, sha256=sha))


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "attachments").rglob("*") if p.is_file())


# --- Storage ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 100, CHUNK_SIZE, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE + 5])
def test_round_trip(size: int, settings: Any) -> None:
    data = os.urandom(size)
    sha = store(data)
    assert read(sha) == data
    assert [len(c) for c in open_blob(state_code="AAA", sha256=sha)] == [
        min(CHUNK_SIZE, size - i) for i in range(0, size, CHUNK_SIZE)
    ]
    raw = blob_path("AAA", sha).read_bytes()
    assert size < 16 or data[:16] not in raw  # encrypted at rest
    assert blob_path("AAA", sha) == Path(settings.MEDIA_ROOT) / "attachments" / "AAA" / sha[:2] / sha


def test_identical_content_is_stored_once_per_state(settings: Any) -> None:
    data = os.urandom(5000)
    first = store_blob(state_code="AAA", chunks=[data])
    again = store_blob(state_code="AAA", chunks=[data[:100], data[100:]])
    other_state = store_blob(state_code="BBB", chunks=[data])
    assert (first.created, again.created, other_state.created) == (True, False, True)
    assert first.sha256 == again.sha256 == other_state.sha256
    assert len(stored_files(Path(settings.MEDIA_ROOT))) == 2  # one per State, no temp file left


def flip(path: Path, offset: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0x01
    path.write_bytes(bytes(raw))


def test_tampered_ciphertext_is_refused() -> None:
    sha = store(os.urandom(3 * CHUNK_SIZE))
    flip(blob_path("AAA", sha), header_size() + RECORD + 100)  # in the second chunk
    stream = open_blob(state_code="AAA", sha256=sha)
    assert len(next(stream)) == CHUNK_SIZE
    with pytest.raises(AttachmentUnreadable):
        next(stream)


def test_tampered_final_chunk_or_header_is_refused_before_any_byte() -> None:
    sha = store(os.urandom(CHUNK_SIZE + 10))
    path = blob_path("AAA", sha)
    flip(path, path.stat().st_size - 1)
    with pytest.raises(AttachmentUnreadable):
        open_blob(state_code="AAA", sha256=sha)
    sha = store(os.urandom(CHUNK_SIZE + 11))
    flip(blob_path("AAA", sha), 12)  # the file id in the header
    with pytest.raises(AttachmentUnreadable):
        open_blob(state_code="AAA", sha256=sha)


@pytest.mark.parametrize("cut", ["last_record", "last_byte", "to_header"])
def test_truncated_file_is_refused(cut: str) -> None:
    sha = store(os.urandom(3 * CHUNK_SIZE + 5))
    path = blob_path("AAA", sha)
    raw = path.read_bytes()
    keep = {
        "last_record": header_size() + 3 * RECORD,
        "last_byte": len(raw) - 1,
        "to_header": header_size(),
    }[cut]
    path.write_bytes(raw[:keep])
    with pytest.raises(AttachmentUnreadable):
        read(sha)


def test_swapped_chunks_are_refused() -> None:
    sha = store(os.urandom(3 * CHUNK_SIZE + 5))
    path = blob_path("AAA", sha)
    raw = path.read_bytes()
    h = header_size()
    first, second = raw[h : h + RECORD], raw[h + RECORD : h + 2 * RECORD]
    path.write_bytes(raw[:h] + second + first + raw[h + 2 * RECORD :])
    with pytest.raises(AttachmentUnreadable):
        read(sha)


def test_blob_moved_to_another_digest_or_state_is_refused() -> None:
    a, b = store(b"a" * 100), store(b"b" * 100)
    blob_path("AAA", b).write_bytes(blob_path("AAA", a).read_bytes())
    with pytest.raises(AttachmentUnreadable):
        read(b)
    target = blob_path("BBB", a)
    target.parent.mkdir(parents=True)
    target.write_bytes(blob_path("AAA", a).read_bytes())
    with pytest.raises(AttachmentUnreadable):
        read(a, state="BBB")


def test_wrong_key_is_refused(settings: Any) -> None:
    sha = store(b"secret evidence")
    settings.COMITY_ATTACHMENT_KEYS = [("k1", bytes(32))]  # same id, other key
    with pytest.raises(AttachmentUnreadable, match="integrity"):
        read(sha)
    settings.COMITY_ATTACHMENT_KEYS = [KEY_2]  # the key id is unknown
    with pytest.raises(AttachmentUnreadable, match="unknown key"):
        read(sha)


def test_key_rotation_old_key_id_still_decrypts(settings: Any) -> None:
    old = store(b"written with k1")
    settings.COMITY_ATTACHMENT_KEYS = [KEY_2, KEY_1]
    new = store(b"written with k2")
    assert read(old) == b"written with k1"
    assert read(new) == b"written with k2"
    assert blob_path("AAA", new).read_bytes()[8:11] == b"\x02k2"
    assert blob_path("AAA", old).read_bytes()[8:11] == b"\x02k1"


def test_over_the_limit_nothing_is_stored(settings: Any) -> None:
    settings.COMITY_ATTACHMENT_MAX_BYTES = 3 * CHUNK_SIZE
    pieces = 0

    def endless() -> Iterator[bytes]:
        nonlocal pieces
        while True:
            pieces += 1
            yield b"x" * 10_000

    with pytest.raises(AttachmentTooLarge, match="larger than the limit"):
        store_blob(state_code="AAA", chunks=endless())
    assert pieces == 20  # stopped at the first piece over the limit (196,608 bytes)
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


def test_settings_parse_keys() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from comity.settings import _attachment_keys

    key = base64.b64encode(bytes(32)).decode()
    assert _attachment_keys(f"new:{key}, old:{key}") == [("new", bytes(32)), ("old", bytes(32))]
    assert _attachment_keys("") == []
    for bad in (f"a:{key},a:{key}", "a:c2hvcnQ=", f"bad id:{key}", "a:not base64!"):
        with pytest.raises(ImproperlyConfigured):
            _attachment_keys(bad)


def test_derived_key_check_warns_only_without_debug(settings: Any) -> None:
    from comity.core.checks import check_attachment_keys

    settings.COMITY_ATTACHMENT_KEYS_DERIVED = True
    settings.DEBUG = False
    assert [w.id for w in check_attachment_keys(None)] == ["comity.W002"]
    settings.DEBUG = True
    assert check_attachment_keys(None) == []
    settings.DEBUG = False
    settings.COMITY_ATTACHMENT_KEYS_DERIVED = False
    assert check_attachment_keys(None) == []


# --- Services and views ---------------------------------------------------------------------


@pytest.fixture
def officers(db: Any) -> World:
    return make_world(Role.CENTRAL_AUTHORITY_OFFICER, Role.SUPERVISOR)


def make_request(world: World, *, held_by: Any = None, executing_officer: Any = None) -> Request:
    authority = held_by or world.x
    with unscoped(reason="test: create a request"):
        return Request.objects.create(
            state=authority.state,
            direction=Direction.INCOMING,
            request_type="mla",
            status=RequestStatus.IN_EXECUTION,
            requesting_state=world.state_b if authority.state == world.state_a else world.state_a,
            requested_state=authority.state,
            authority=authority,
            executing_authority=world.y if executing_officer is not None else None,
            executing_officer=executing_officer,
            title="SECRET-REQUEST",
            created_by=world.alice if authority.state == world.state_a else world.charlie,
        )


def add(user: Any, request: Request, data: bytes, name: str = "statement.pdf") -> Attachment:
    actor = principal(user)
    with state_scope(request.state_id):
        return attachment_add(
            actor=actor,
            request=request,
            upload=SimpleUploadedFile(name, data, content_type="application/pdf"),
            kind="evidence",
            language="en",
        )


def actions(state: Any, prefix: str = "attachment.") -> list[str]:
    with state_scope(state.pk):
        return list(
            AuditEvent.objects.filter(action__startswith=prefix)
            .order_by("seq")
            .values_list("action", flat=True)
        )


def timeline(request: Request) -> list[str]:
    with state_scope(request.state_id):
        return list(RequestEvent.objects.filter(request=request).values_list("kind", flat=True))


def test_add_records_row_event_and_audit_and_dedups(officers: World, settings: Any) -> None:
    request = make_request(officers)
    one = add(officers.alice, request, b"%PDF-1.7 evidence")
    two = add(officers.alice, request, b"%PDF-1.7 evidence", name="../../etc/copy.pdf")
    assert (one.sha256, one.size, one.filename, one.kind, one.language) == (
        two.sha256,
        17,
        "statement.pdf",
        "evidence",
        "en",
    )
    assert two.filename == "copy.pdf"
    assert len(stored_files(Path(settings.MEDIA_ROOT))) == 1
    assert actions(officers.state_a) == ["attachment.added", "attachment.added"]
    assert timeline(request).count(EventKind.ATTACHMENT_ADDED) == 2


def test_add_refused_outside_the_rules_stores_nothing(officers: World, settings: Any) -> None:
    request = make_request(officers)
    with pytest.raises(NotAllowed):
        add(officers.bob, request, b"data")  # another authority of the same State
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


@contextmanager
def refusing_timeline() -> Iterator[None]:
    """A real database failure: a trigger refuses every new timeline event."""
    table = RequestEvent._meta.db_table
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if pg:
            cursor.execute(
                "CREATE FUNCTION test_refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER test_refuse BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION test_refuse()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER test_refuse BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER test_refuse ON {table}" if pg else "DROP TRIGGER test_refuse")
            if pg:
                cursor.execute("DROP FUNCTION test_refuse()")


def test_empty_file_is_refused_and_not_kept(officers: World, settings: Any) -> None:
    request = make_request(officers)
    with pytest.raises(InvalidInput, match="empty"):
        add(officers.alice, request, b"")
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


def test_database_failure_removes_the_new_blob_only(officers: World, settings: Any) -> None:
    request = make_request(officers)
    with refusing_timeline(), pytest.raises(DatabaseError, match="refused"):
        add(officers.alice, request, b"new content")
    assert stored_files(Path(settings.MEDIA_ROOT)) == []
    with state_scope(request.state_id):
        assert not Attachment.objects.exists()
    assert actions(officers.state_a) == []


def test_database_failure_keeps_a_blob_another_row_uses(officers: World, settings: Any) -> None:
    request = make_request(officers)
    kept = add(officers.alice, request, b"shared content")
    with refusing_timeline(), pytest.raises(DatabaseError, match="refused"):
        add(officers.alice, request, b"shared content")
    assert blob_path("AAA", kept.sha256).is_file()
    assert read(kept.sha256) == b"shared content"
    with state_scope(request.state_id):
        assert Attachment.objects.count() == 1


def test_every_download_is_audited(officers: World) -> None:
    request = make_request(officers)
    attachment = add(officers.alice, request, b"A" * (CHUNK_SIZE + 3))
    client = logged_in(officers.alice)
    url = reverse("cases_attachments:download", args=[attachment.code])
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"A" * (CHUNK_SIZE + 3)  # type: ignore[attr-defined]
    assert response["Content-Disposition"] == 'attachment; filename="statement.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Length"] == str(CHUNK_SIZE + 3)
    assert actions(officers.state_a) == ["attachment.added"] + ["attachment.downloaded"] * 3
    assert timeline(request).count(EventKind.ATTACHMENT_DOWNLOADED) == 3


def test_upload_view(officers: World) -> None:
    request = make_request(officers)
    client = logged_in(officers.alice)
    url = reverse("cases_attachments:upload", args=[request.code])
    response = client.post(url, {"file": SimpleUploadedFile("order.pdf", b"%PDF order"), "kind": "order"})
    assert response.status_code in (201, 302)
    with state_scope(request.state_id):
        assert list(Attachment.objects.values_list("filename", "kind", "size")) == [
            ("order.pdf", "order", 10)
        ]
    bad = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"x"), "kind": "nonsense"})
    assert (bad.status_code, bad.content.decode()) == (422, "Unknown attachment kind 'nonsense'.")
    assert client.post(url, {"kind": "order"}).status_code == 400
    assert client.get(url).status_code == 405


def test_upload_over_the_limit_is_413_and_nothing_stored(officers: World, settings: Any) -> None:
    settings.COMITY_ATTACHMENT_MAX_BYTES = 200_000
    request = make_request(officers)
    client = logged_in(officers.alice)
    url = reverse("cases_attachments:upload", args=[request.code])
    for size in (200_001, 400_000):  # inside the form overhead (service refuses) and beyond (view)
        response = client.post(url, {"file": SimpleUploadedFile("big.bin", b"x" * size), "kind": "other"})
        assert response.status_code == 413
        assert "larger than the limit" in response.content.decode()
    with state_scope(request.state_id):
        assert not Attachment.objects.exists()
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


@pytest.fixture
def leak_world(officers: World) -> dict[str, Any]:
    dave = member("dave", officers.y, Role.EXECUTING_OFFICER)
    erin = member("erin", officers.y, Role.EXECUTING_OFFICER)
    ours = make_request(officers, executing_officer=dave)
    theirs = make_request(officers, held_by=officers.z)
    return {
        "dave": dave,
        "erin": erin,
        "ours": add(officers.alice, ours, b"SECRET-A"),
        "theirs": add(officers.charlie, theirs, b"SECRET-B"),
        "ours_request": ours,
        "theirs_request": theirs,
    }


@pytest.mark.parametrize("who", ["charlie", "erin"])
def test_other_state_and_unassigned_executing_officer_get_404(
    officers: World, leak_world: dict[str, Any], who: str
) -> None:
    user = officers.charlie if who == "charlie" else leak_world["erin"]
    client = logged_in(user)
    attachment, request = leak_world["ours"], leak_world["ours_request"]
    before = actions(officers.state_a)
    download = client.get(reverse("cases_attachments:download", args=[attachment.code]))
    upload = client.post(
        reverse("cases_attachments:upload", args=[request.code]),
        {"file": SimpleUploadedFile("x.pdf", b"x"), "kind": "other"},
    )
    assert (download.status_code, upload.status_code) == (404, 404)
    assert b"SECRET-A" not in download.content
    assert actions(officers.state_a) == before


def test_another_authority_of_the_same_state_gets_404(officers: World, leak_world: dict[str, Any]) -> None:
    # bob acts for Y (the executing authority) as supervisor: make a request held by X and not
    # forwarded, so Y has nothing to do with it.
    other = make_request(officers)
    attachment = add(officers.alice, other, b"SECRET-X")
    client = logged_in(officers.bob)
    assert client.get(reverse("cases_attachments:download", args=[attachment.code])).status_code == 404
    with state_scope(officers.state_a.pk), pytest.raises(Exception, match="No such attachment"):
        access_attachment(principal(officers.bob), attachment.code)


def test_the_assigned_executing_officer_downloads(officers: World, leak_world: dict[str, Any]) -> None:
    client = logged_in(leak_world["dave"])
    response = client.get(reverse("cases_attachments:download", args=[leak_world["ours"].code]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"SECRET-A"  # type: ignore[attr-defined]


def test_missing_code_is_the_same_404(officers: World) -> None:
    client = logged_in(officers.alice)
    assert client.get(reverse("cases_attachments:download", args=["nosuchcode"])).status_code == 404
    assert client.post(reverse("cases_attachments:upload", args=["nosuchcode"])).status_code == 404


def test_open_checks_the_file_before_recording(officers: World) -> None:
    request = make_request(officers)
    attachment = add(officers.alice, request, b"gone")
    blob_path("AAA", attachment.sha256).unlink()
    with state_scope(request.state_id), pytest.raises(AttachmentUnreadable):
        attachment_open(
            actor=principal(officers.alice),
            attachment=access_attachment(principal(officers.alice), attachment.code),
        )
    assert actions(officers.state_a) == ["attachment.added"]


def test_upload_is_encrypted_as_it_arrives_never_spooled_in_clear(
    officers: World, settings: Any, tmp_path: Path
) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    (tmp_path / "spool").mkdir()
    request = make_request(officers)
    data = b"SECRET-PLAINTEXT-" * 12_000  # 204,000 bytes
    response = logged_in(officers.alice).post(
        reverse("cases_attachments:upload", args=[request.code]),
        {"file": SimpleUploadedFile("big.txt", data), "kind": "evidence", "language": "fr"},
    )
    assert response.status_code in (201, 302)
    assert list((tmp_path / "spool").iterdir()) == []
    with state_scope(request.state_id):
        attachment = Attachment.objects.get()
    assert (attachment.size, attachment.language, attachment.content_type) == (204_000, "fr", "text/plain")
    assert read(attachment.sha256) == data
    assert b"SECRET-PLAINTEXT" not in blob_path("AAA", attachment.sha256).read_bytes()


def test_upload_without_csrf_token_is_403_and_nothing_kept(officers: World, settings: Any) -> None:
    from django.test import Client

    request = make_request(officers)
    client = Client(enforce_csrf_checks=True)
    client.force_login(officers.alice)
    response = client.post(
        reverse("cases_attachments:upload", args=[request.code]),
        {"file": SimpleUploadedFile("x.pdf", b"%PDF forged"), "kind": "other"},
    )
    assert response.status_code == 403
    assert stored_files(Path(settings.MEDIA_ROOT)) == []
    with state_scope(request.state_id):
        assert not Attachment.objects.exists()


def test_detail_page_offers_the_upload_form_and_lists_the_download(officers: World) -> None:
    request = make_request(officers)
    client = logged_in(officers.alice)
    detail = reverse("cases:detail", args=[request.code])
    page = client.get(detail).content.decode()
    assert f'action="{reverse("cases_attachments:upload", args=[request.code])}"' in page
    assert 'enctype="multipart/form-data"' in page
    client.post(
        reverse("cases_attachments:upload", args=[request.code]),
        {"file": SimpleUploadedFile("judgment.pdf", b"%PDF judgment"), "kind": "order"},
    )
    with state_scope(request.state_id):
        code = Attachment.objects.get().code
    page = client.get(detail).content.decode()
    assert reverse("cases_attachments:download", args=[code]) in page
    assert "judgment.pdf" in page
