"""The service request documents tests send, and the calls that send them as a client does.

Submitting is the portal contact's part; approving and declining the reviewer's. Each
`submit`/`approve`/`decline` returns the mutation's payload, userErrors included;
`submitted` and `approved_job` are for tests whose subject comes later and allow none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.accounts import Site
from tests.client import GraphQLClient
from tests.factories import Person
from tests.ids import gid

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

APPROVE = """
mutation Approve($input: ApproveServiceRequestInput!) {
  approveServiceRequest(input: $input) {
    serviceRequest {
      id number status decidedAt decidedBy { name } declineReason job { id }
    }
    job {
      id status serviceType description scheduledStart scheduledEnd priority slaDueAt
      skills parts assetIds account { name } site { name }
      serviceRequest { id status }
    }
    userErrors { code field message }
  }
}
"""

DECLINE = """
mutation Decline($input: DeclineServiceRequestInput!) {
  declineServiceRequest(input: $input) {
    serviceRequest { id number status decidedAt decidedBy { name } declineReason job { id } }
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

NODE = "query Node($id: ID!) { node(id: $id) { id } }"

UPDATE_SETTINGS = """
mutation Settings($input: UpdateCompanySettingsInput!) {
  updateCompanySettings(input: $input) {
    companySettings { serviceRequestsEnabled }
    userErrors { code field message }
  }
}
"""

SET_COMPANY_SLA = """
mutation SetSla($hours: Int) {
  updateCompanySettings(input: {defaultSlaHours: $hours}) {
    companySettings { defaultSlaHours }
    userErrors { code field message }
  }
}
"""


def submit_input(site: Site, **overrides: Any) -> dict[str, Any]:
    """A valid submitServiceRequest input for `site`; `overrides` are input fields
    as a client names them (description=..., serviceType=..., preferredDate=...)."""
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


async def approve(
    gql: GraphQLClient, token: str | None, request_id: str, job: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The approveServiceRequest payload (userErrors may be non-empty); `job` sets
    fields of the job to create instead of the draft's."""
    variables: dict[str, Any] = {"input": {"id": request_id}}
    if job is not None:
        variables["input"]["job"] = job
    data = await gql(APPROVE, variables, token=token)
    payload: dict[str, Any] = data["approveServiceRequest"]
    return payload


async def approved_job(gql: GraphQLClient, reviewer: Person, request_id: str, **job: Any) -> str:
    """Approve (no user errors allowed) and return the new job's global ID."""
    payload = await approve(gql, reviewer.token, request_id, job)
    assert payload["userErrors"] == [], payload
    job_id: str = payload["job"]["id"]
    return job_id


async def decline(
    gql: GraphQLClient, token: str | None, request_id: str, reason: str
) -> dict[str, Any]:
    """The declineServiceRequest payload (userErrors may be non-empty)."""
    data = await gql(DECLINE, {"input": {"id": request_id, "reason": reason}}, token=token)
    payload: dict[str, Any] = data["declineServiceRequest"]
    return payload


async def set_enabled(gql: GraphQLClient, admin: Person, enabled: bool) -> None:
    """`admin` switches service requests on or off for the whole portal."""
    data = await gql(
        UPDATE_SETTINGS, {"input": {"serviceRequestsEnabled": enabled}}, token=admin.token
    )
    assert data["updateCompanySettings"]["userErrors"] == []
    assert data["updateCompanySettings"]["companySettings"] == {"serviceRequestsEnabled": enabled}


async def set_company_sla(gql: GraphQLClient, admin: Person, hours: int | None) -> None:
    """`admin` sets the SLA hours of accounts that have none of their own."""
    data = await gql(SET_COMPANY_SLA, {"hours": hours}, token=admin.token)
    payload = data["updateCompanySettings"]
    assert payload["userErrors"] == [], payload
    assert payload["companySettings"] == {"defaultSlaHours": hours}


DRAFT = """
query Draft($id: ID!) {
  node(id: $id) {
    ... on ServiceRequest {
      status
      jobDraft {
        account { name } site { name }
        serviceType description bookingDate priority slaDueAt
      }
    }
  }
}
"""


def parse(value: str) -> datetime:
    """A time the API answered, comparable with `now()`."""
    return datetime.fromisoformat(value)


JOB_FIELDS = """
id status priority slaDueAt scheduledStart scheduledEnd skills parts assetIds
serviceType description cancelReason createdAt
serviceRequest { id status }
account { name } site { name }
assignee { name }
"""


JOBS = f"""
query Jobs($filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String) {{
  jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {JOB_FIELDS} }}
  }}
}}
"""


REQUEST = """
query Request($id: ID!) {
  node(id: $id) { ... on ServiceRequest { status decidedAt job { id status cancelReason } } }
}
"""


ASSIGN = """
mutation Assign($input: AssignJobInput!) {
  assignJob(input: $input) {
    job { id status assignee { name } }
    userErrors { code field message }
  }
}
"""


CANCEL = """
mutation Cancel($input: CancelJobInput!) {
  cancelJob(input: $input) {
    job { id status cancelReason serviceRequest { status } }
    userErrors { code field message }
  }
}
"""


async def _ids(gql: GraphQLClient, token: str, **variables: Any) -> list[int]:
    data = await gql(SERVICE_REQUESTS, {"first": 100} | variables, token=token)
    return [node["number"] for node in data["serviceRequests"]["nodes"]]
