"""Who may change and remove photos, and what each change leaves behind."""

from __future__ import annotations

from typing import Any

from models.permissions import Role
from models.photos import Photo
from tests.account_requests.rows import make_request, request_gid
from tests.client import GraphQLClient, assert_forbidden, error_pairs
from tests.conftest import StoredObjects
from tests.factories import Person, make_account, portal_contact, staff
from tests.ids import gid
from tests.photos.operations import (
    DELETE_PHOTO,
    UPDATE_PHOTO,
    add_photo,
    download,
)
from tests.photos.operations import photo_events as _photo_events
from tests.photos.operations import photo_node as _photo
from tests.photos.operations import request_photos_node as _request_node


async def _update(
    gql: GraphQLClient, person: Person, photo_id: str, **changes: Any
) -> dict[str, Any]:
    """The whole response body of updatePhoto (top-level errors included)."""
    return await gql.raw(UPDATE_PHOTO, {"input": {"id": photo_id, **changes}}, token=person.token)


async def _delete(gql: GraphQLClient, person: Person, photo_id: str) -> dict[str, Any]:
    return await gql.raw(DELETE_PHOTO, {"input": {"id": photo_id}}, token=person.token)


async def test_dispatcher_changes_description_and_flag_and_the_portal_follows(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a photo staff keep to themselves
    account = await make_account()
    request = await make_request(account)
    dispatcher = await staff(Role.DISPATCHER)
    contact = await portal_contact(account)
    photo = await add_photo(gql, dispatcher, request, display_in_portal=False)
    assert _photo_events(await _request_node(gql, contact, request)) == []

    # when the dispatcher describes it anew and shows it in the portal
    body = await _update(
        gql, dispatcher, photo["id"], description="  Dried out now  ", displayInPortal=True
    )

    # then the photo changes and the timeline records it
    assert "errors" not in body, body
    changed = body["data"]["updatePhoto"]
    assert changed["userErrors"] == []
    assert changed["photo"]["description"] == "Dried out now"
    assert changed["photo"]["displayInPortal"] is True
    expected = [("PHOTO_UPDATED", None, photo["id"]), ("PHOTO_ADDED", None, photo["id"])]
    assert _photo_events(await _request_node(gql, dispatcher, request)) == expected
    # and the portal now shows the photo and its whole history
    portal = await _request_node(gql, contact, request)
    assert [p["id"] for p in portal["photos"]["nodes"]] == [photo["id"]]
    assert _photo_events(portal) == expected
    assert (await _photo(gql, contact, photo["id"]))["description"] == "Dried out now"

    # when the dispatcher hides it again
    hidden = await _update(gql, dispatcher, photo["id"], displayInPortal=False)

    # then the portal loses the photo and every event about it; staff keep them all
    assert hidden["data"]["updatePhoto"]["userErrors"] == []
    portal = await _request_node(gql, contact, request)
    assert portal["photos"]["totalCount"] == 0
    assert _photo_events(portal) == []
    assert await _photo(gql, contact, photo["id"]) is None
    staff_events = _photo_events(await _request_node(gql, dispatcher, request))
    assert [kind for kind, _, _ in staff_events] == [
        "PHOTO_UPDATED",
        "PHOTO_UPDATED",
        "PHOTO_ADDED",
    ]


async def test_portal_contact_edits_the_description_of_its_own_photo(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    account = await make_account()
    request = await make_request(account)
    contact = await portal_contact(account)
    photo = await add_photo(gql, contact, request)

    body = await _update(gql, contact, photo["id"], description="The tap, not the pipe")

    assert "errors" not in body, body
    changed = body["data"]["updatePhoto"]
    assert changed["userErrors"] == []
    assert changed["photo"]["description"] == "The tap, not the pipe"
    dispatcher = await staff(Role.DISPATCHER)
    seen = await _photo(gql, dispatcher, photo["id"])
    assert seen["description"] == "The tap, not the pipe"


async def test_nobody_hides_a_photo_a_contact_added(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a contact's photo
    account = await make_account()
    request = await make_request(account)
    contact = await portal_contact(account)
    dispatcher = await staff(Role.DISPATCHER)
    photo = await add_photo(gql, contact, request)

    # when the contact, then a dispatcher, try to take it out of the portal
    by_contact = await _update(gql, contact, photo["id"], displayInPortal=False)
    by_staff = await _update(gql, dispatcher, photo["id"], displayInPortal=False)

    # then both are told it is not possible, and the photo still shows in the portal
    for body in (by_contact, by_staff):
        assert "errors" not in body, body
        payload = body["data"]["updatePhoto"]
        assert error_pairs(payload) == [("INVALID", ["input", "displayInPortal"])]
        assert payload["photo"] is None
    assert (await _photo(gql, contact, photo["id"]))["displayInPortal"] is True
    portal = await _request_node(gql, contact, request)
    assert _photo_events(portal) == [("PHOTO_ADDED", None, photo["id"])]


async def test_portal_contact_cannot_update_a_staff_photo(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a staff photo shown in the portal, one kept from it, and another contact's photo
    account = await make_account()
    request = await make_request(account)
    contact = await portal_contact(account)
    dispatcher = await staff(Role.DISPATCHER)
    shown = await add_photo(gql, dispatcher, request, display_in_portal=True)
    hidden = await add_photo(gql, dispatcher, request, display_in_portal=False)
    other_account = await make_account()
    foreign = await add_photo(
        gql, await portal_contact(other_account), await make_request(other_account)
    )

    # when the contact tries to describe each of them
    on_shown = await _update(gql, contact, shown["id"], description="Mine now")
    on_hidden = await _update(gql, contact, hidden["id"], description="Mine now")
    on_foreign = await _update(gql, contact, foreign["id"], description="Mine now")
    on_ghost = await _update(gql, contact, gid("Photo", 999_999), description="Mine now")

    # then the photo it sees is refused at the top level
    assert_forbidden(on_shown)
    # and those it does not see answer like a photo that does not exist
    assert error_pairs(on_hidden["data"]["updatePhoto"]) == [("NOT_FOUND", ["input", "id"])]
    assert on_hidden == on_foreign == on_ghost
    # and nothing changed
    for photo in (shown, hidden):
        assert (await _photo(gql, dispatcher, photo["id"]))["description"] == photo["description"]
    assert (await _photo(gql, dispatcher, foreign["id"]))["description"] == foreign["description"]


async def test_a_description_longer_than_2000_characters_is_refused(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    photo = await add_photo(gql, dispatcher, request)

    too_long = await _update(gql, dispatcher, photo["id"], description="x" * 2001)
    longest = await _update(gql, dispatcher, photo["id"], description="y" * 2000)

    assert error_pairs(too_long["data"]["updatePhoto"]) == [("TOO_LONG", ["input", "description"])]
    assert longest["data"]["updatePhoto"]["userErrors"] == []
    assert longest["data"]["updatePhoto"]["photo"]["description"] == "y" * 2000
    # and the refused change left no trace in the timeline
    events = _photo_events(await _request_node(gql, dispatcher, request))
    assert [kind for kind, _, _ in events] == ["PHOTO_UPDATED", "PHOTO_ADDED"]


async def test_dispatcher_deletes_a_photo_with_its_stored_objects(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a photo with its image and thumbnail in the store
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    photo = await add_photo(gql, dispatcher, request)
    assert len(stored_objects.keys()) == 2

    # when the dispatcher deletes it
    body = await _delete(gql, dispatcher, photo["id"])

    # then the payload names it and its request
    assert "errors" not in body, body
    payload = body["data"]["deletePhoto"]
    assert payload == {
        "deletedPhotoId": photo["id"],
        "accountRequest": {"id": request_gid(request)},
        "userErrors": [],
    }
    # and it is gone: from the request, by ID, from the store and behind its old links
    node = await _request_node(gql, dispatcher, request)
    assert node["photos"] == {"totalCount": 0, "nodes": []}
    assert await _photo(gql, dispatcher, photo["id"]) is None
    assert stored_objects.keys() == set()
    assert await Photo.all().count() == 0
    assert (await download(photo["url"])).status_code in (403, 404)
    assert (await download(photo["thumbnailUrl"])).status_code in (403, 404)
    # and the timeline records the removal
    assert _photo_events(node) == [
        ("PHOTO_REMOVED", photo["id"], None),
        ("PHOTO_ADDED", None, photo["id"]),
    ]


async def test_technician_deletes_only_photos_of_requests_assigned_to_them(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a photo on a request not assigned to the technician, and one on theirs
    dispatcher = await staff(Role.DISPATCHER)
    technician = await staff(Role.TECHNICIAN)
    account = await make_account()
    not_theirs = await make_request(account)
    theirs = await make_request(account, assignee=technician.user)
    kept = await add_photo(gql, dispatcher, not_theirs)
    removable = await add_photo(gql, dispatcher, theirs)
    assert len(stored_objects.keys()) == 4

    # when the technician deletes both
    refused = await _delete(gql, technician, kept["id"])
    removed = await _delete(gql, technician, removable["id"])

    # then the other request's photo and its objects stay
    assert_forbidden(refused)
    node = await _request_node(gql, dispatcher, not_theirs)
    assert [p["id"] for p in node["photos"]["nodes"]] == [kept["id"]]
    assert (await download(kept["url"])).status_code == 200
    # and the one on their own request goes
    assert removed["data"]["deletePhoto"]["deletedPhotoId"] == removable["id"]
    assert len(stored_objects.keys()) == 2


async def test_portal_contact_deletes_its_own_photo(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    account = await make_account()
    request = await make_request(account)
    contact = await portal_contact(account)
    photo = await add_photo(gql, contact, request)

    body = await _delete(gql, contact, photo["id"])

    assert "errors" not in body, body
    assert body["data"]["deletePhoto"]["deletedPhotoId"] == photo["id"]
    assert body["data"]["deletePhoto"]["userErrors"] == []
    portal = await _request_node(gql, contact, request)
    assert portal["photos"]["totalCount"] == 0
    assert _photo_events(portal)[0] == ("PHOTO_REMOVED", photo["id"], None)
    assert stored_objects.keys() == set()


async def test_portal_contact_cannot_delete_photos_it_did_not_add(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given a staff photo shown in the portal and a photo of a fellow contact
    account = await make_account()
    request = await make_request(account)
    contact = await portal_contact(account)
    dispatcher = await staff(Role.DISPATCHER)
    by_staff = await add_photo(gql, dispatcher, request, display_in_portal=True)
    by_colleague = await add_photo(gql, await portal_contact(account), request)

    # when the contact deletes them
    results = [await _delete(gql, contact, photo["id"]) for photo in (by_staff, by_colleague)]

    # then both are refused, and both photos and their objects stay
    for body in results:
        assert_forbidden(body)
    node = await _request_node(gql, contact, request)
    assert sorted(p["id"] for p in node["photos"]["nodes"]) == sorted(
        [by_staff["id"], by_colleague["id"]]
    )
    assert len(stored_objects.keys()) == 4
    assert (await download(by_staff["url"])).status_code == 200
