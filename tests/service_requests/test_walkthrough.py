"""The portal article end to end: submit as a contact, review and approve as a dispatcher."""

from __future__ import annotations

from models.outbox import OutboxEmail
from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import make_account, make_site, portal_contact, staff
from tests.ids import gid

SUBMIT = """
mutation Submit($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) {
    serviceRequest { id number status urgency serviceType }
    userErrors { code field message }
  }
}
"""
QUEUE = """
{
  serviceRequestQueue { pendingCount }
  serviceRequests(first: 10, filter: {statuses: [PENDING]}) {
    nodes {
      id description urgency preferredDate submittedAt status
      account { name } site { name city }
      jobDraft { priority bookingDate slaDueAt serviceType description account { name } }
    }
  }
}
"""
APPROVE = """
mutation Approve($input: ApproveServiceRequestInput!) {
  approveServiceRequest(input: $input) {
    serviceRequest { status decidedBy { name } job { id } }
    job { status priority slaDueAt skills serviceRequest { number } }
    userErrors { code field message }
  }
}
"""


async def test_submit_review_and_approve(gql: GraphQLClient) -> None:
    # given
    account = await make_account("Northwind")
    account.default_sla_hours = 4
    await account.save()
    site = await make_site(account, "Warehouse")
    contact = await portal_contact(account)
    dispatcher = await staff(Role.DISPATCHER, name="Dan Dispatcher")
    # when the contact submits
    submitted = await gql(
        SUBMIT,
        {
            "input": {
                "siteId": gid("Site", site.id),
                "serviceType": "REPAIR",
                "description": "Dock door stuck half open",
                "urgency": "URGENT",
            }
        },
        token=contact.token,
    )
    # then
    assert submitted["submitServiceRequest"]["userErrors"] == []
    request_id = submitted["submitServiceRequest"]["serviceRequest"]["id"]
    queue = await gql(QUEUE, token=dispatcher.token)
    assert queue["serviceRequestQueue"] == {"pendingCount": 1}
    [card] = queue["serviceRequests"]["nodes"]
    assert card["account"] == {"name": "Northwind"}
    assert card["site"]["name"] == "Warehouse"
    assert card["jobDraft"]["priority"] == "HIGH"
    assert card["jobDraft"]["slaDueAt"] is not None
    # when the dispatcher approves with one override
    approved = await gql(
        APPROVE, {"input": {"id": request_id, "job": {"skills": ["doors"]}}}, dispatcher.token
    )
    # then
    payload = approved["approveServiceRequest"]
    assert payload["userErrors"] == []
    assert payload["serviceRequest"]["status"] == "APPROVED"
    assert payload["serviceRequest"]["decidedBy"] == {"name": "Dan Dispatcher"}
    assert payload["job"]["status"] == "READY_FOR_ASSIGNMENT"
    assert payload["job"]["priority"] == "HIGH"
    assert payload["job"]["skills"] == ["doors"]
    assert await OutboxEmail.filter(to_address=contact.row.email).count() == 1
    again = await gql(APPROVE, {"input": {"id": request_id}}, dispatcher.token)
    assert again["approveServiceRequest"]["userErrors"][0]["code"] == "ALREADY_DECIDED"
