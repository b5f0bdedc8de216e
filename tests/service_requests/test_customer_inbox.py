"""The customer hears of each decision in the portal inbox, not only by e-mail."""

from __future__ import annotations

from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import staff
from tests.service_requests.operations import approve, decline
from tests.service_requests.people import pending_request

INBOX = """
{
  notifications { nodes { kind title body subject { ... on ServiceRequest { status } } } }
}
"""


async def test_approval_reaches_the_contacts_inbox(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql, site_name="Warehouse")
    # when
    payload = await approve(gql, dispatcher.token, request.id)
    # then
    assert payload["userErrors"] == []
    [note] = (await gql(INBOX, token=request.contact.token))["notifications"]["nodes"]
    assert note["kind"] == "SERVICE_REQUEST_APPROVED"
    assert note["title"] == f"Your service request #{request.number} is approved"
    assert "Warehouse" in note["body"]
    assert note["subject"] == {"status": "APPROVED"}


async def test_decline_reason_reaches_the_contacts_inbox_verbatim(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql)
    reason = "We do not service {this} model.\nPlease call the maker."
    # when
    await decline(gql, dispatcher.token, request.id, reason)
    # then
    [note] = (await gql(INBOX, token=request.contact.token))["notifications"]["nodes"]
    assert note["kind"] == "SERVICE_REQUEST_DECLINED"
    assert note["body"] == reason
