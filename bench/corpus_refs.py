"""The conformance seed's records (manifest `{"ref": NAME}`) mapped to rows of the bench data.

The corpus (tests/conformance/documents/manifest.json) names records of the small
conformance company; the benchmark runs the same documents against the 100,000-request
bench database (bench.seed). Each name is mapped to a row that plays the same part:

ref                      type                 the bench row chosen
-----------------------  -------------------  ------------------------------------------
account                  Account              the top-level account with sub-accounts and
                                              a manager that has the most requests
subAccount               Account              its sub-account with the most requests
otherAccount             Account              a top-level account managed by nobody (the
                                              part Globex plays) with the most requests
missingAccount           Account              a key no row has (as in the conformance seed)
requestType              AccountRequestType   the first request type
otherRequestType         AccountRequestType   the second
contact, site            Contact, Site        the account's (one each in the bench data)
accountRequest           AccountRequest       the account's latest OPEN request with an
                                              assignee and a contact (2 timeline events)
otherAccountRequest      AccountRequest       otherAccount's latest request
timelineEvent            AccountRequestEvent  the latest event of accountRequest
staffUser                User                 the technician with the most assigned requests
pendingServiceRequest    ServiceRequest       a PENDING one, the account's and URGENT first
approvedServiceRequest   ServiceRequest       an APPROVED one whose job is ASSIGNED, the
                                              account's first
declinedServiceRequest   ServiceRequest       a DECLINED one, the account's first
job                      Job                  the job of approvedServiceRequest
accountRequestsCursor    (a cursor)           asked of the server: accountRequests(first: 2)
                                              { pageInfo { endCursor } }
task, appointment,       Task, Appointment,   the first row where the bench data has one; it
serviceRecord, invoice,  ServiceRecord, ...   has none today, so a key no row has: those
creditMemo, photo,                            screens answer null for that object (checked
creditAccountRequest,                         equal, cheap, listing nothing)
team, notification
webhookEndpoint,         WebhookEndpoint      the first enabled endpoint, the second, the
retryingWebhookEndpoint,                      first disabled one; the bench data has none,
disabledWebhookEndpoint                       so keys no row has (null nodes, empty logs)
webhookDelivery,         WebhookDelivery      the latest SUCCEEDED, PENDING after an attempt,
retryingWebhookDelivery,                      FAILED, PENDING before any attempt; none in
failedWebhookDelivery,                        the bench data either
resentWebhookDelivery
webhookDeliveriesCursor  (a cursor)           asked of the server: webhookDeliveries(first: 3)
                                              { pageInfo { endCursor } } (null when empty)
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass

import asyncpg
import orjson

from bench.common import ADMIN_TOKEN
from schema.relay.ids import encode_id

MISSING_KEY = 10**9  # a key no row has (the conformance seed's missingAccount)
_REQUESTS_OF = "(SELECT count(*) FROM account_requests r WHERE r.account_id = a.id)"
# The newest delivery in a state (the corpus seed's part for each delivery ref).
_DELIVERIES = "SELECT id FROM webhook_deliveries WHERE {} ORDER BY id DESC"


@dataclass(frozen=True)
class Ref:
    name: str
    type_name: str
    sql: str | None  # the row's key; `{other}` is an earlier ref's key; None: MISSING_KEY


REFS = (
    Ref(
        "account",
        "Account",
        "SELECT a.id FROM accounts a WHERE a.parent_id IS NULL AND a.manager_id IS NOT NULL"
        " AND EXISTS (SELECT 1 FROM accounts s WHERE s.parent_id = a.id)"
        f" ORDER BY {_REQUESTS_OF} DESC, a.id",
    ),
    Ref(
        "subAccount",
        "Account",
        f"SELECT a.id FROM accounts a WHERE a.parent_id = {{account}}"
        f" ORDER BY {_REQUESTS_OF} DESC, a.id",
    ),
    Ref(
        "otherAccount",
        "Account",
        "SELECT a.id FROM accounts a WHERE a.parent_id IS NULL AND a.manager_id IS NULL"
        f" ORDER BY {_REQUESTS_OF} DESC, a.id",
    ),
    Ref("missingAccount", "Account", None),
    Ref("requestType", "AccountRequestType", "SELECT id FROM account_request_types ORDER BY id"),
    Ref(
        "otherRequestType",
        "AccountRequestType",
        "SELECT id FROM account_request_types WHERE id > {requestType} ORDER BY id",
    ),
    Ref("contact", "Contact", "SELECT id FROM contacts WHERE account_id = {account} ORDER BY id"),
    Ref("site", "Site", "SELECT id FROM sites WHERE account_id = {account} ORDER BY id"),
    Ref(
        "accountRequest",
        "AccountRequest",
        "SELECT id FROM account_requests WHERE account_id = {account} AND status = 'OPEN'"
        " AND assignee_id IS NOT NULL AND contact_id IS NOT NULL ORDER BY updated_at DESC, id",
    ),
    Ref(
        "otherAccountRequest",
        "AccountRequest",
        "SELECT id FROM account_requests WHERE account_id = {otherAccount}"
        " ORDER BY updated_at DESC, id",
    ),
    Ref(
        "timelineEvent",
        "AccountRequestEvent",
        "SELECT id FROM account_request_events WHERE request_id = {accountRequest}"
        " ORDER BY created_at DESC, id DESC",
    ),
    Ref(
        "staffUser",
        "User",
        "SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id"
        " WHERE ur.role = 'TECHNICIAN' ORDER BY"
        " (SELECT count(*) FROM account_requests r WHERE r.assignee_id = u.id) DESC, u.id",
    ),
    Ref(
        "pendingServiceRequest",
        "ServiceRequest",
        "SELECT id FROM service_requests WHERE status = 'PENDING'"
        " ORDER BY account_id = {account} DESC, urgency = 'URGENT' DESC, submitted_at DESC, id",
    ),
    Ref(
        "approvedServiceRequest",
        "ServiceRequest",
        "SELECT s.id FROM service_requests s JOIN jobs j ON j.service_request_id = s.id"
        " WHERE s.status = 'APPROVED' AND j.status = 'ASSIGNED'"
        " ORDER BY s.account_id = {account} DESC, s.submitted_at DESC, s.id",
    ),
    Ref(
        "declinedServiceRequest",
        "ServiceRequest",
        "SELECT id FROM service_requests WHERE status = 'DECLINED'"
        " ORDER BY account_id = {account} DESC, submitted_at DESC, id",
    ),
    Ref("job", "Job", "SELECT id FROM jobs WHERE service_request_id = {approvedServiceRequest}"),
    # The bench data has none of these (yet): the first row, else a key no row has.
    Ref("task", "Task", "SELECT id FROM tasks ORDER BY id"),
    Ref("appointment", "Appointment", "SELECT id FROM appointments ORDER BY id"),
    Ref("serviceRecord", "ServiceRecord", "SELECT id FROM service_records ORDER BY id"),
    Ref("invoice", "Invoice", "SELECT id FROM invoices ORDER BY id"),
    Ref("creditMemo", "CreditMemo", "SELECT id FROM credit_memos ORDER BY id"),
    Ref("photo", "Photo", "SELECT id FROM photos ORDER BY id"),
    Ref(
        "creditAccountRequest",
        "CreditAccountRequest",
        "SELECT id FROM credit_account_requests ORDER BY id",
    ),
    Ref("team", "Team", "SELECT id FROM teams ORDER BY id"),
    Ref("notification", "Notification", "SELECT id FROM notifications WHERE user_id = 1"),
    Ref(
        "webhookEndpoint",
        "WebhookEndpoint",
        "SELECT id FROM webhook_endpoints WHERE enabled ORDER BY id",
    ),
    Ref(
        "retryingWebhookEndpoint",
        "WebhookEndpoint",
        "SELECT id FROM webhook_endpoints WHERE enabled AND id > {webhookEndpoint} ORDER BY id",
    ),
    Ref(
        "disabledWebhookEndpoint",
        "WebhookEndpoint",
        "SELECT id FROM webhook_endpoints WHERE NOT enabled ORDER BY id",
    ),
    Ref("webhookDelivery", "WebhookDelivery", _DELIVERIES.format("status = 'SUCCEEDED'")),
    Ref(
        "retryingWebhookDelivery",
        "WebhookDelivery",
        _DELIVERIES.format("status = 'PENDING' AND attempts > 0"),
    ),
    Ref("failedWebhookDelivery", "WebhookDelivery", _DELIVERIES.format("status = 'FAILED'")),
    Ref(
        "resentWebhookDelivery",
        "WebhookDelivery",
        _DELIVERIES.format("status = 'PENDING' AND attempts = 0"),
    ),
)
CURSOR_QUERY = (
    "query BenchCursor { accountRequests(first: 2) { pageInfo { endCursor } }"
    " webhookDeliveries(first: 3) { pageInfo { endCursor } } }"
)


async def bench_keys(url: str) -> dict[str, int]:
    """The key of each ref's bench row (MISSING_KEY where the bench data has none)."""
    conn = await asyncpg.connect(url)
    keys: dict[str, int] = {}
    try:
        for ref in REFS:
            found = None
            if ref.sql is not None:
                found = await conn.fetchval(ref.sql.format(**keys) + " LIMIT 1")
            keys[ref.name] = int(found) if found is not None else MISSING_KEY
    finally:
        await conn.close()
    return keys


def global_ids(keys: dict[str, int], api_url: str) -> dict[str, str]:
    """Every ref as the global ID (or cursor) a client would send."""
    types = {ref.name: ref.type_name for ref in REFS}
    ids = {name: encode_id(types[name], key) for name, key in keys.items()}
    request = urllib.request.Request(
        api_url,
        data=orjson.dumps({"query": CURSOR_QUERY}),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = orjson.loads(response.read())
    ids["accountRequestsCursor"] = answer["data"]["accountRequests"]["pageInfo"]["endCursor"]
    ids["webhookDeliveriesCursor"] = answer["data"]["webhookDeliveries"]["pageInfo"]["endCursor"]
    return ids


def describe(keys: dict[str, int]) -> str:
    """One line: which bench rows stood in for the refs."""
    shown = [
        f"{name} {'(none)' if key == MISSING_KEY else key}"
        for name, key in keys.items()
        if name != "missingAccount"
    ]
    return "refs (bench keys): " + ", ".join(shown)
