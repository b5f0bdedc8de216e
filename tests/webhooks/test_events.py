"""Each operation that emits an event queues exactly its deliveries, in its own
transaction, with the global IDs a client knows (one case per emitting operation)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from models.permissions import Role
from models.webhooks import WebhookEventType
from tests.account_requests.operations import create_request
from tests.account_requests.rows import make_request, make_type, request_gid
from tests.client import GraphQLClient
from tests.credit_accounts.operations import ACCEPT, REJECT, create_invoice, request_credit
from tests.factories import Person, make_account, make_site, portal_contact, staff
from tests.ids import gid
from tests.photos.operations import add_photo
from tests.service_requests.operations import (
    CANCEL,
    approved_job,
    decline,
    submitted,
)
from tests.webhooks.operations import UPDATE, deliveries, endpoint_for

UPDATE_REQUEST = """
mutation($input: UpdateAccountRequestInput!) {
  updateAccountRequest(input: $input) { accountRequest { id } userErrors { code field } }
}
"""
ARCHIVE = """
mutation($input: ArchiveUserInput!) { archiveUser(input: $input) { userErrors { code } } }
"""


@dataclass
class World:
    gql: GraphQLClient
    admin: Person
    technician: Person

    async def ok(self, query: str, variables: dict[str, Any], who: Person | None = None) -> Any:
        data = await self.gql(query, variables, token=(who or self.admin).token)
        [payload] = data.values()
        assert payload["userErrors"] == [], payload
        return payload


# What an operation did: the global IDs (and facts) its events must name.
Done = dict[str, Any]


async def _created(w: World) -> Done:
    account, kind = await make_account(), await make_type()
    payload = await create_request(
        w.gql,
        w.admin.token,
        accountId=gid("Account", account.id),
        typeId=gid("AccountRequestType", kind.id),
    )
    return {"accountRequest": payload["accountRequest"]["id"]}


async def _created_assigned(w: World) -> Done:
    account, kind = await make_account(), await make_type()
    payload = await create_request(
        w.gql,
        w.admin.token,
        accountId=gid("Account", account.id),
        typeId=gid("AccountRequestType", kind.id),
        assigneeId=gid("User", w.technician.id),
    )
    return {"accountRequest": payload["accountRequest"]["id"], "assignee": w.technician.id}


async def _created_in_portal(w: World) -> Done:
    account, kind = await make_account(), await make_type(portal=True)
    contact = await portal_contact(account)
    payload = await create_request(w.gql, contact.token, typeId=gid("AccountRequestType", kind.id))
    return {"accountRequest": payload["accountRequest"]["id"]}


async def _updated(w: World) -> Done:
    request = await make_request(await make_account(), await make_type())
    await w.ok(UPDATE_REQUEST, {"input": {"id": request_gid(request), "status": "IN_PROGRESS"}})
    return {"accountRequest": request_gid(request), "changed": ["status"]}


async def _reassigned(w: World) -> Done:
    request = await make_request(await make_account(), await make_type())
    changes = {"id": request_gid(request), "assigneeId": gid("User", w.technician.id)}
    await w.ok(UPDATE_REQUEST, {"input": changes})
    return {"accountRequest": request_gid(request), "assignee": w.technician.id}


async def _unassigned_by_archiving(w: World) -> Done:
    request = await make_request(
        await make_account(), await make_type(), assignee=w.technician.user
    )
    await w.ok(ARCHIVE, {"input": {"userId": gid("User", w.technician.id)}})
    return {"accountRequest": request_gid(request), "previous": w.technician.id}


async def _portal_world(w: World) -> tuple[Person, Any]:
    account = await make_account()
    return await portal_contact(account), await make_site(account)


async def _submitted(w: World) -> Done:
    contact, site = await _portal_world(w)
    return {"serviceRequest": await submitted(w.gql, contact, site)}


async def _approved(w: World) -> Done:
    contact, site = await _portal_world(w)
    request_id = await submitted(w.gql, contact, site)
    return {"serviceRequest": request_id, "job": await approved_job(w.gql, w.admin, request_id)}


async def _declined(w: World) -> Done:
    contact, site = await _portal_world(w)
    request_id = await submitted(w.gql, contact, site)
    payload = await decline(w.gql, w.admin.token, request_id, "We do not serve this area.")
    assert payload["userErrors"] == []
    return {"serviceRequest": request_id}


async def _cancelled(w: World) -> Done:
    contact, site = await _portal_world(w)
    job_id = await approved_job(w.gql, w.admin, await submitted(w.gql, contact, site))
    await w.ok(CANCEL, {"input": {"id": job_id, "reason": "Customer moved out."}})
    return {"job": job_id}


async def _credit_pending(w: World, limit: str = "5000.00") -> tuple[str, str]:
    account_id = gid("Account", (await make_account()).id)
    payload = await request_credit(w.gql, w.admin, account_id, limit)
    assert payload["userErrors"] == []
    return account_id, payload["creditAccountRequest"]["id"]


async def _credit_accepted(w: World) -> Done:
    _, request_id = await _credit_pending(w)
    await w.ok(ACCEPT, {"input": {"id": request_id}})
    return {"creditAccountRequest": request_id, "status": "ACCEPTED"}


async def _credit_rejected(w: World) -> Done:
    _, request_id = await _credit_pending(w)
    await w.ok(REJECT, {"input": {"id": request_id, "reason": "Not yet."}})
    return {"creditAccountRequest": request_id, "status": "REJECTED"}


async def _limit_crossed(w: World) -> Done:
    account_id, request_id = await _credit_pending(w, "100.00")
    await w.ok(ACCEPT, {"input": {"id": request_id}})
    await create_invoice(w.gql, w.admin, account_id, "500.00", number="INV-1")
    return {"account": account_id}


async def _photo(w: World) -> Done:
    request = await make_request(await make_account(), await make_type())
    photo = await add_photo(w.gql, w.admin, request)
    return {"photo": photo["id"], "accountRequest": request_gid(request)}


E = WebhookEventType
CASES: list[tuple[str, Callable[[World], Awaitable[Done]], list[E]]] = [
    ("createAccountRequest", _created, [E.ACCOUNT_REQUEST_CREATED]),
    (
        "createAccountRequest with an assignee",
        _created_assigned,
        [E.ACCOUNT_REQUEST_CREATED, E.ACCOUNT_REQUEST_ASSIGNED],
    ),
    ("createAccountRequest in the portal", _created_in_portal, [E.ACCOUNT_REQUEST_CREATED]),
    ("updateAccountRequest", _updated, [E.ACCOUNT_REQUEST_UPDATED]),
    (
        "updateAccountRequest reassigning",
        _reassigned,
        [E.ACCOUNT_REQUEST_UPDATED, E.ACCOUNT_REQUEST_ASSIGNED],
    ),
    (
        "archiveUser unassigning",
        _unassigned_by_archiving,
        [E.ACCOUNT_REQUEST_UPDATED, E.ACCOUNT_REQUEST_ASSIGNED],
    ),
    ("submitServiceRequest", _submitted, [E.SERVICE_REQUEST_SUBMITTED]),
    ("approveServiceRequest", _approved, [E.SERVICE_REQUEST_APPROVED, E.JOB_CREATED]),
    ("declineServiceRequest", _declined, [E.SERVICE_REQUEST_DECLINED]),
    ("cancelJob", _cancelled, [E.JOB_CANCELLED]),
    ("acceptCreditAccountRequest", _credit_accepted, [E.CREDIT_REQUEST_DECIDED]),
    ("rejectCreditAccountRequest", _credit_rejected, [E.CREDIT_REQUEST_DECIDED]),
    ("createInvoice over the limit", _limit_crossed, [E.CREDIT_LIMIT_CROSSED]),
    ("completePhotoUpload", _photo, [E.PHOTO_ADDED]),
]


@pytest.mark.parametrize(
    ("operation", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
async def test_each_operation_queues_its_events(
    gql: GraphQLClient,
    operation: Callable[[World], Awaitable[Done]],
    expected: list[WebhookEventType],
) -> None:
    # given: an endpoint for exactly these events (what the set-up of an operation
    # emits, a submission before an approval, is of other types)
    admin = await staff(Role.ADMIN)
    world = World(gql, admin, await staff(Role.TECHNICIAN))
    await endpoint_for(gql, admin, "https://hooks.example.com/in", *[e.value for e in expected])
    assert await deliveries(gql, admin) == []

    # when
    done = await operation(world)

    # then: one delivery per event, naming what the client was shown
    rows = await deliveries(gql, admin)
    assert sorted(row["eventType"] for row in rows) == sorted(e.value for e in expected)
    for row in rows:
        assert (row["status"], row["attempts"]) == ("PENDING", 0)
        event = json.loads(row["payload"])
        kind = WebhookEventType(row["eventType"])
        assert event["id"] == row["eventId"]
        assert event["type"] == kind.wire_name
        assert event["version"] == 1
        _names_what_was_done(kind, event["data"], done)


def _names_what_was_done(kind: WebhookEventType, data: dict[str, Any], done: Done) -> None:
    if kind.value.startswith("ACCOUNT_REQUEST_"):
        request = data["accountRequest"]
        assert request["id"] == done["accountRequest"]
        if kind is E.ACCOUNT_REQUEST_ASSIGNED:
            assert request["assigneeId"] == _user(done.get("assignee"))
            assert data["previousAssigneeId"] == _user(done.get("previous"))
        if kind is E.ACCOUNT_REQUEST_UPDATED:
            assert data["changedFields"] == done.get("changed", ["assigneeId"])
    elif kind.value.startswith("SERVICE_REQUEST_"):
        request = data["serviceRequest"]
        assert request["id"] == done["serviceRequest"]
        assert request["status"] == kind.value.removeprefix("SERVICE_REQUEST_").replace(
            "SUBMITTED", "PENDING"
        )
        assert request["jobId"] == done.get("job")
        if kind is E.SERVICE_REQUEST_DECLINED:
            assert request["declineReason"] == "We do not serve this area."
    elif kind in (E.JOB_CREATED, E.JOB_CANCELLED):
        assert data["job"]["id"] == done["job"]
        if kind is E.JOB_CANCELLED:
            assert data["job"]["status"] == "CANCELLED"
            assert data["job"]["cancelReason"] == "Customer moved out."
    elif kind is E.CREDIT_REQUEST_DECIDED:
        request = data["creditAccountRequest"]
        assert (request["id"], request["status"]) == (done["creditAccountRequest"], done["status"])
        assert request["decidedAt"] is not None
    elif kind is E.CREDIT_LIMIT_CROSSED:
        assert data == {
            "account": {"id": done["account"], "creditLimit": "100.00", "balance": "500.00"},
            "level": "OVER",
        }
    else:
        assert kind is E.PHOTO_ADDED
        assert data["photo"]["id"] == done["photo"]
        assert data["photo"]["accountRequestId"] == done["accountRequest"]
        assert data["photo"]["contentType"] == "image/jpeg"


def _user(pk: int | None) -> str | None:
    return gid("User", pk) if pk is not None else None


async def test_only_enabled_endpoints_subscribed_to_the_event_get_it(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    wanting, _ = await endpoint_for(gql, admin, "https://a.example.com/", "ACCOUNT_REQUEST_CREATED")
    await endpoint_for(gql, admin, "https://b.example.com/", "JOB_CREATED")
    disabled, _ = await endpoint_for(
        gql, admin, "https://c.example.com/", "ACCOUNT_REQUEST_CREATED"
    )
    await gql(UPDATE, {"input": {"id": disabled, "enabled": False}}, admin.token)

    # when
    await _created(World(gql, admin, admin))

    # then
    [row] = await deliveries(gql, admin)
    assert row["endpoint"]["id"] == wanting
