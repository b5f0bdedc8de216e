"""Who sees which photos (DESIGN §4), by the request's gallery and by global ID."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import pytest

from models.account_requests import AccountRequest
from models.permissions import Role
from tests.account_requests.rows import make_request, request_gid
from tests.client import GraphQLClient, assert_unauthenticated
from tests.conftest import Server, StatementCounter, StoredObjects
from tests.factories import Person, make_account, make_user, portal_contact, staff
from tests.ids import gid
from tests.photos.operations import PHOTO_NODE, REQUEST_PHOTOS, add_photo, download

REQUESTS_WITH_PHOTOS = """
query($first: Int!) {
  accountRequests(first: $first) {
    nodes { id photos(first: 10) { nodes { id url uploadedBy { name } } } }
  }
}
"""


async def _gallery(gql: GraphQLClient, request: AccountRequest) -> tuple[str, str]:
    """A dispatcher's two photos on `request`: (flagged for the portal, not flagged)."""
    dispatcher = await staff(Role.DISPATCHER)
    shown = await add_photo(gql, dispatcher, request, display_in_portal=True)
    hidden = await add_photo(gql, dispatcher, request, display_in_portal=False)
    return shown["id"], hidden["id"]


async def _photos_of(gql: GraphQLClient, person: Person, request: AccountRequest) -> Any:
    """The request node as `person` sees it (photos and timeline), or None."""
    return (await gql(REQUEST_PHOTOS, {"id": request_gid(request)}, token=person.token))["node"]


async def _photo(gql: GraphQLClient, person: Person, photo_id: str) -> Any:
    return (await gql(PHOTO_NODE, {"id": photo_id}, token=person.token))["node"]


def _ids(node: dict[str, Any]) -> list[str]:
    return [photo["id"] for photo in node["photos"]["nodes"]]


def _photo_events(node: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [
        (event["kind"], event["after"])
        for event in node["timeline"]["nodes"]
        if event["kind"].startswith("PHOTO_")
    ]


# --- staff ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER, Role.TECHNICIAN])
async def test_admins_dispatchers_and_technicians_see_every_photo(
    gql: GraphQLClient, stored_objects: StoredObjects, role: Role
) -> None:
    # given a request on an account nobody manages, with a flagged and an unflagged photo
    request = await make_request(await make_account())
    shown, hidden = await _gallery(gql, request)
    viewer = await staff(role)

    # when the viewer looks at the request and fetches each photo by ID
    node = await _photos_of(gql, viewer, request)
    by_id = [await _photo(gql, viewer, photo_id) for photo_id in (shown, hidden)]

    # then both are listed, newest first, and both resolve
    assert node["photos"]["totalCount"] == 2
    assert _ids(node) == [hidden, shown]
    assert [photo["id"] for photo in by_id] == [shown, hidden]
    assert [photo["displayInPortal"] for photo in by_id] == [True, False]
    assert all(photo["status"] == "READY" and photo["url"] for photo in by_id)


@pytest.mark.parametrize("role", [Role.PROJECT_MANAGER, Role.ACCOUNTING])
async def test_project_managers_and_accounting_see_no_photos(
    gql: GraphQLClient, stored_objects: StoredObjects, role: Role
) -> None:
    # given a request with photos, one of them flagged for the portal
    request = await make_request(await make_account())
    shown, hidden = await _gallery(gql, request)
    viewer = await staff(role)

    # when the viewer looks at the request (which they may see) and at the photos by ID
    node = await _photos_of(gql, viewer, request)
    by_id = [await _photo(gql, viewer, photo_id) for photo_id in (shown, hidden)]

    # then the request is there, its gallery empty, and no photo resolves
    assert node is not None
    assert node["photos"] == {"totalCount": 0, "nodes": []}
    assert by_id == [None, None]


async def test_account_manager_sees_photos_of_managed_accounts_and_sub_accounts_only(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a manager's account, its sub-account (managed by nobody) and someone else's account
    manager = await staff(Role.ACCOUNT_MANAGER)
    managed = await make_account(manager=manager.user)
    sub_account = await make_account(parent=managed)
    elsewhere = await make_account(manager=await make_user(Role.ACCOUNT_MANAGER))
    own_request = await make_request(managed)
    sub_request = await make_request(sub_account)
    other_request = await make_request(elsewhere)
    own_shown, own_hidden = await _gallery(gql, own_request)
    sub_shown, sub_hidden = await _gallery(gql, sub_request)
    other_shown, other_hidden = await _gallery(gql, other_request)

    # when the manager looks at each request and fetches every photo by ID
    own = await _photos_of(gql, manager, own_request)
    sub = await _photos_of(gql, manager, sub_request)
    other = await _photos_of(gql, manager, other_request)
    mine = [await _photo(gql, manager, pid) for pid in (own_shown, own_hidden, sub_shown)]
    theirs = [await _photo(gql, manager, pid) for pid in (other_shown, other_hidden)]

    # then every photo of the managed account and its sub-account shows, flagged or not
    assert _ids(own) == [own_hidden, own_shown]
    assert _ids(sub) == [sub_hidden, sub_shown]
    assert [photo["id"] for photo in mine] == [own_shown, own_hidden, sub_shown]
    # and nothing of the other account: neither its request nor its photos
    assert other is None
    assert theirs == [None, None]


# --- portal contacts -------------------------------------------------------------------


async def test_portal_contact_sees_only_flagged_photos_of_its_own_account(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given the contact's account and another one, each with a flagged and an unflagged photo
    ours = await make_account()
    theirs = await make_account()
    own_request = await make_request(ours)
    other_request = await make_request(theirs)
    shown, hidden = await _gallery(gql, own_request)
    other_shown, _ = await _gallery(gql, other_request)
    contact = await portal_contact(ours)

    # when the contact looks at its request and guesses photo IDs
    node = await _photos_of(gql, contact, own_request)
    own_shown = await _photo(gql, contact, shown)
    unflagged = await gql.raw(PHOTO_NODE, {"id": hidden}, token=contact.token)
    foreign = await gql.raw(PHOTO_NODE, {"id": other_shown}, token=contact.token)
    ghost = await gql.raw(PHOTO_NODE, {"id": gid("Photo", 999_999)}, token=contact.token)

    # then only the flagged photo of its own account shows
    assert node["photos"]["totalCount"] == 1
    assert _ids(node) == [shown]
    assert own_shown["id"] == shown and own_shown["displayInPortal"] is True
    # and an unflagged or another account's photo answers like one that does not exist
    assert unflagged == ghost == {"data": {"node": None}}
    assert foreign == ghost
    assert await _photos_of(gql, contact, other_request) is None


async def test_portal_timeline_hides_events_of_unflagged_photos(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a request with a flagged and an unflagged photo
    account = await make_account()
    request = await make_request(account)
    shown, hidden = await _gallery(gql, request)
    contact = await portal_contact(account)
    dispatcher = await staff(Role.DISPATCHER)

    # when staff and the contact read the timeline
    staff_view = await _photos_of(gql, dispatcher, request)
    portal_view = await _photos_of(gql, contact, request)

    # then staff see both additions, the portal only the flagged one
    assert _photo_events(staff_view) == [("PHOTO_ADDED", hidden), ("PHOTO_ADDED", shown)]
    assert _photo_events(portal_view) == [("PHOTO_ADDED", shown)]


# --- signed links and anonymous callers --------------------------------------------------


def _tamper(url: str, parameter: str) -> str:
    """`url` with one character of its `parameter` query value changed."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    changed = []
    for name, value in query:
        if name == parameter:
            value = value[:-1] + ("0" if value[-1] != "0" else "1")
        changed.append((name, value))
    assert changed != query, f"{parameter} not in {url}"
    return urlunsplit(parts._replace(query=urlencode(changed)))


def _sigv4_signature(url: str, secret: str) -> str:
    """The AWS SigV4 signature a query-signed GET of `url` must carry (what S3 checks)."""
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    params.pop("X-Amz-Signature")

    def encode(value: str) -> str:
        return quote(value, safe="-_.~")

    canonical_query = "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()))
    signed_headers = params["X-Amz-SignedHeaders"]
    assert signed_headers == "host"
    canonical_request = "\n".join(
        ["GET", parts.path, canonical_query, f"host:{parts.netloc}\n", "host", "UNSIGNED-PAYLOAD"]
    )
    _, date, region, service, terminator = params["X-Amz-Credential"].split("/")
    scope = f"{date}/{region}/{service}/{terminator}"
    string_to_sign = "\n".join(
        [
            params["X-Amz-Algorithm"],
            params["X-Amz-Date"],
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, terminator):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


async def test_signed_url_works_and_a_tampered_one_is_refused(
    gql: GraphQLClient, server: Server, stored_objects: StoredObjects
) -> None:
    # given a READY photo
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    photo = await add_photo(gql, dispatcher, request)

    # when its signed links are fetched as given
    image = await download(photo["url"])
    thumbnail = await download(photo["thumbnailUrl"])
    # then they serve the image and its thumbnail
    assert image.status_code == 200 and image.headers["content-type"].startswith("image/jpeg")
    assert thumbnail.status_code == 200

    if server.settings.storage_url.startswith("s3://"):
        # On S3 the links are SigV4 query-signed with the configured key; S3 recomputes the
        # signature on every GET. moto serves objects without checking it, so the check
        # is done here: the link's signature is the right one, a changed one is not.
        secret = server.settings.s3_secret_access_key
        assert secret is not None
        tampered = _tamper(photo["url"], "X-Amz-Signature")
        expected = _sigv4_signature(photo["url"], secret.get_secret_value())
        assert dict(parse_qsl(urlsplit(photo["url"]).query))["X-Amz-Signature"] == expected
        assert dict(parse_qsl(urlsplit(tampered).query))["X-Amz-Signature"] != expected
        assert photo["url"].startswith(f"{server.settings.s3_endpoint_url}/")
    else:
        # when one character of the signature changes
        refused = await download(_tamper(photo["url"], "signature"))
        # then the file endpoint refuses the link and serves nothing
        assert refused.status_code == 403
        assert refused.content != image.content
        # and so it does when the signed key, type or expiry is changed instead
        for parameter in ("type", "expires"):
            assert (await download(_tamper(photo["url"], parameter))).status_code == 403
        thumbnail_key = photo["url"].replace("?", ".thumb.jpg?", 1)
        assert (await download(thumbnail_key)).status_code == 403


async def test_anonymous_callers_cannot_fetch_a_photo(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a photo flagged for the portal
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    photo = await add_photo(gql, dispatcher, request, display_in_portal=True)

    # when someone without a token asks for it, or for its request
    by_id = await gql.raw(PHOTO_NODE, {"id": photo["id"]})
    by_request = await gql.raw(REQUEST_PHOTOS, {"id": request_gid(request)})

    # then both are refused as unauthenticated
    assert_unauthenticated(by_id)
    assert by_id["data"] == {"node": None}
    assert_unauthenticated(by_request)


# --- statement counts ------------------------------------------------------------------


async def _count(
    gql: GraphQLClient, counter: StatementCounter, token: str, first: int
) -> tuple[int, list[dict[str, Any]]]:
    counter.statements.clear()
    data = await gql(REQUESTS_WITH_PHOTOS, {"first": first}, token=token)
    nodes: list[dict[str, Any]] = data["accountRequests"]["nodes"]
    return counter.count, nodes


@pytest.mark.parametrize("viewer_kind", ["dispatcher", "account manager", "portal contact"])
async def test_photos_of_a_request_list_take_a_fixed_number_of_statements(
    gql: GraphQLClient,
    stored_objects: StoredObjects,
    count_statements: StatementCounter,
    viewer_kind: str,
) -> None:
    # given six requests of one account, each with two photos flagged for the portal
    manager = await staff(Role.ACCOUNT_MANAGER)
    account = await make_account(manager=manager.user)
    viewer = {
        "dispatcher": await staff(Role.DISPATCHER),
        "account manager": manager,
        "portal contact": await portal_contact(account),
    }[viewer_kind]
    uploader = await staff(Role.DISPATCHER)
    for _ in range(6):
        request = await make_request(account)
        for _ in range(2):
            await add_photo(gql, uploader, request, display_in_portal=True)

    # when the list is read with two and with six requests
    small, small_nodes = await _count(gql, count_statements, viewer.token, 2)
    large, large_nodes = await _count(gql, count_statements, viewer.token, 6)

    # then each request shows its two photos, with links and uploader
    assert len(small_nodes) == 2 and len(large_nodes) == 6
    for node in large_nodes:
        photos = node["photos"]["nodes"]
        assert len(photos) == 2
        assert all(photo["url"] for photo in photos)
    if viewer_kind != "portal contact":
        uploaders = {p["uploadedBy"]["name"] for n in large_nodes for p in n["photos"]["nodes"]}
        assert uploaders == {uploader.user.name}
    # and the number of statements does not grow with the number of requests
    assert small == large, count_statements.statements
