"""Operations and small helpers shared by the submit, review-list and job tests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from models import service_requests as sr
from models.accounts import Account, Site
from schema.relay import encode_id
from tests.client import GraphQLClient
from tests.factories import Person

SUBMIT = """
mutation Submit($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) {
    serviceRequest {
      id number status urgency serviceType description preferredDate submittedAt
      account { name } site { name }
    }
    userErrors { code field message }
  }
}
"""

CARD_FIELDS = """
id number serviceType description urgency preferredDate submittedAt status declineReason
account { name } site { name street city }
job { id status }
"""

SERVICE_REQUESTS = f"""
query Requests(
  $filter: ServiceRequestFilter, $orderBy: ServiceRequestOrder,
  $first: Int, $after: String, $last: Int, $before: String
) {{
  serviceRequests(
    filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before
  ) {{
    totalCount
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
    nodes {{ {CARD_FIELDS} }}
  }}
}}
"""

QUEUE = "{ serviceRequestQueue { pendingCount } }"
QUEUE_CHANGED = "subscription { serviceRequestQueueChanged { pendingCount } }"

UPDATE_SETTINGS = """
mutation Settings($input: UpdateCompanySettingsInput!) {
  updateCompanySettings(input: $input) {
    companySettings { serviceRequestsEnabled }
    userErrors { code field message }
  }
}
"""

APPROVE = """
mutation Approve($input: ApproveServiceRequestInput!) {
  approveServiceRequest(input: $input) {
    job { id }
    userErrors { code field message }
  }
}
"""

DECLINE = """
mutation Decline($input: DeclineServiceRequestInput!) {
  declineServiceRequest(input: $input) {
    serviceRequest { id status }
    userErrors { code field message }
  }
}
"""

NODE = "query Node($id: ID!) { node(id: $id) { id } }"


def gid(type_name: str, pk: int) -> str:
    return encode_id(type_name, pk)


def submit_input(site: Site, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "siteId": gid("Site", site.id),
        "serviceType": "REPAIR",
        "description": "The loading dock door is stuck half open.",
        "urgency": "NORMAL",
    }
    return values | overrides


async def submit(
    gql: GraphQLClient, contact: Person, site: Site, **overrides: Any
) -> dict[str, Any]:
    """The submitServiceRequest payload (userErrors may be non-empty)."""
    data = await gql(SUBMIT, {"input": submit_input(site, **overrides)}, token=contact.token)
    payload: dict[str, Any] = data["submitServiceRequest"]
    return payload


async def submitted(gql: GraphQLClient, contact: Person, site: Site, **overrides: Any) -> str:
    """Submit and return the new request's global ID (no user errors allowed)."""
    payload = await submit(gql, contact, site, **overrides)
    assert payload["userErrors"] == [], payload
    request_id: str = payload["serviceRequest"]["id"]
    return request_id


async def set_enabled(gql: GraphQLClient, admin: Person, enabled: bool) -> None:
    data = await gql(
        UPDATE_SETTINGS, {"input": {"serviceRequestsEnabled": enabled}}, token=admin.token
    )
    assert data["updateCompanySettings"]["userErrors"] == []
    assert data["updateCompanySettings"]["companySettings"] == {"serviceRequestsEnabled": enabled}


async def approve(gql: GraphQLClient, reviewer: Person, request_id: str, **job: Any) -> str:
    """Approve through the API and return the new job's global ID."""
    data = await gql(APPROVE, {"input": {"id": request_id, "job": job}}, token=reviewer.token)
    assert data["approveServiceRequest"]["userErrors"] == [], data
    job_id: str = data["approveServiceRequest"]["job"]["id"]
    return job_id


async def decline(gql: GraphQLClient, reviewer: Person, request_id: str, reason: str) -> None:
    data = await gql(DECLINE, {"input": {"id": request_id, "reason": reason}}, reviewer.token)
    assert data["declineServiceRequest"]["userErrors"] == [], data


async def request_row(
    account: Account,
    site: Site,
    *,
    service_type: sr.ServiceType = sr.ServiceType.REPAIR,
    urgency: sr.Urgency = sr.Urgency.NORMAL,
    status: sr.ServiceRequestStatus = sr.ServiceRequestStatus.PENDING,
    submitted_at: datetime | None = None,
    preferred_date: date | None = None,
    description: str = "Please come by",
) -> sr.ServiceRequest:
    """A request written straight to the table (lists need many, at chosen times)."""
    row = await sr.ServiceRequest.create(
        account_id=account.id,
        site_id=site.id,
        service_type=service_type,
        urgency=urgency,
        status=status,
        preferred_date=preferred_date,
        description=description,
    )
    if submitted_at is not None:
        await sr.ServiceRequest.filter(id=row.id).update(submitted_at=submitted_at)
        row.submitted_at = submitted_at
    return row


def user_errors(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(code, dotted field path) of each user error, e.g. ("REQUIRED", "input.description")."""
    return [
        (error["code"], ".".join(error["field"]) if error["field"] else None)
        for error in payload["userErrors"]
    ]
