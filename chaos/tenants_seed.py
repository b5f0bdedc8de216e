"""Two tenants for the isolation probes, made through the API by the admin.

Account A has a portal contact and an account manager: they are the probers.
Account B (with a sub-account) owns one object of every kind a tenant owns:
site, contacts, service requests, a job, an account request with its timeline,
a photo, a task, an appointment, a service record, an invoice, a credit memo, a
credit request and a notification. Every text of B carries a marker, so a leak
shows in an answer whatever field it comes through.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chaos.context import Context
from chaos.gql import must
from chaos.seed import (
    APPROVE,
    CREATE_ACCOUNT,
    CREATE_USER,
    DECLINE,
    REQUEST_CREDIT,
    SET_MANAGER,
    SUBMIT,
    Person,
    login,
    make_customer,
)

CREATE_TYPE = """mutation($input: CreateAccountRequestTypeInput!) {
  createAccountRequestType(input: $input) { accountRequestType { id } userErrors { code } } }"""
CREATE_REQUEST = """mutation($input: CreateAccountRequestInput!) {
  createAccountRequest(input: $input) { accountRequest { id timeline { nodes { id } } }
    userErrors { code field message } } }"""
CREATE_CONTACT = """mutation($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { code field message } } }"""
ITEMS = {
    "createTask": ("task", "CreateTaskInput"),
    "createAppointment": ("appointment", "CreateAppointmentInput"),
    "createServiceRecord": ("serviceRecord", "CreateServiceRecordInput"),
    "createInvoice": ("invoice", "CreateInvoiceInput"),
    "createCreditMemo": ("creditMemo", "CreateCreditMemoInput"),
    "createPhotoUpload": ("photo", "CreatePhotoUploadInput"),
}
NOTIFICATIONS = "{ notifications(last: 20) { nodes { id } } }"


def _item(mutation: str) -> str:
    key, kind = ITEMS[mutation]
    return (
        f"mutation($input: {kind}!) {{ {mutation}(input: $input) {{ {key} {{ id }}"
        " userErrors { code field message } } }"
    )


@dataclass
class Tenants:
    marker: str
    portal_a: Person
    portal_b: Person
    manager_a: Person
    account_a: str
    own_ids: list[str]  # objects of A its own people may see
    foreign: list[str] = field(default_factory=list)  # IDs of B's objects
    account_b: str = ""
    child_b: str = ""
    site_b: str = ""
    request_b: str = ""
    manager_b: str = ""
    type_id: str = ""


async def make_tenants(ctx: Context) -> Tenants:
    world = ctx.world
    api, admin = world.clients[0], world.admin.token
    marker = f"zqB{world.tag}"

    async def item(mutation: str, fields: dict[str, object]) -> str:
        key = ITEMS[mutation][0]
        return str((await must(api, _item(mutation), {"input": fields}, admin))[key]["id"])

    a = await make_customer(api, world.admin, f"Tenant A {world.tag}")
    b = await make_customer(api, world.admin, f"Tenant {marker}")
    await login(ctx.cluster, a.contact)
    await login(ctx.cluster, b.contact)
    child = (
        await must(
            api,
            CREATE_ACCOUNT,
            {"input": {"name": f"{marker} child", "parentId": b.account_id}},
            admin,
        )
    )["account"]["id"]
    managers = []
    for name in ("a", "b"):
        person = Person(email=f"manager-{name}-{world.tag}@staff.docket.test")
        fields: dict[str, object] = {
            "name": f"Manager {name.upper()} {world.tag}",
            "email": person.email,
            "password": person.password,
            "roles": ["ACCOUNT_MANAGER"],
        }
        person.id = (await must(api, CREATE_USER, {"input": fields}, admin))["user"]["id"]
        await login(ctx.cluster, person)
        managers.append(person)
    for manager, account in zip(managers, (a.account_id, b.account_id), strict=True):
        variables = {"input": {"accountId": account, "managerId": manager.id}}
        await must(api, SET_MANAGER, variables, admin)
    kind = await must(
        api,
        CREATE_TYPE,
        {"input": {"name": f"Leak check {world.tag}", "portalAvailable": True}},
        admin,
    )
    type_id = kind["accountRequestType"]["id"]
    made = await must(
        api,
        CREATE_REQUEST,
        {"input": {"accountId": b.account_id, "typeId": type_id, "note": f"{marker} note"}},
        admin,
    )
    request_b = made["accountRequest"]["id"]
    events = [n["id"] for n in made["accountRequest"]["timeline"]["nodes"]]
    own_request = await must(
        api, CREATE_REQUEST, {"input": {"accountId": a.account_id, "typeId": type_id}}, admin
    )
    other_contact = await must(
        api, CREATE_CONTACT, {"input": {"accountId": b.account_id, "name": f"{marker} Bob"}}, admin
    )
    day = "2030-01-15"
    foreign = [
        b.account_id,
        child,
        b.site_id,
        b.contact_id,
        other_contact["contact"]["id"],
        request_b,
        *events,
        await item("createTask", {"accountId": b.account_id, "title": f"{marker} task"}),
        await item(
            "createAppointment",
            {
                "accountId": b.account_id,
                "startsAt": f"{day}T09:00:00Z",
                "endsAt": f"{day}T10:00:00Z",
                "notes": f"{marker} visit",
            },
        ),
        await item(
            "createServiceRecord",
            {"accountId": b.account_id, "serviceDate": day, "description": f"{marker} record"},
        ),
        await item(
            "createInvoice",
            {
                "accountId": b.account_id,
                "number": f"INV-{marker}",
                "issuedOn": day,
                "dueOn": day,
                "total": "100.00",
            },
        ),
        await item(
            "createCreditMemo",
            {
                "accountId": b.account_id,
                "number": f"CM-{marker}",
                "issuedOn": day,
                "amount": "5.00",
                "reason": f"{marker} memo",
            },
        ),
        await item(
            "createPhotoUpload",
            {
                "accountRequestId": request_b,
                "filename": "leak.jpg",
                "contentType": "image/jpeg",
                "byteSize": 1000,
                "description": f"{marker} photo",
                "displayInPortal": True,
            },
        ),
    ]
    submitted = []
    for n in range(3):
        fields = {"siteId": b.site_id, "serviceType": "REPAIR", "description": f"{marker} sr {n}"}
        made = await must(api, SUBMIT, {"input": fields}, b.contact.token)
        submitted.append(made["serviceRequest"]["id"])
    approved = await must(api, APPROVE, {"id": submitted[0], "skills": [marker]}, admin)
    await must(api, DECLINE, {"id": submitted[1], "reason": f"{marker} no"}, admin)
    credit = await must(
        api,
        REQUEST_CREDIT,
        {"input": {"accountId": b.account_id, "requestedLimit": "500.00", "note": marker}},
        world.requester.token,
    )
    inbox = await must(api, NOTIFICATIONS, {}, b.contact.token)
    foreign += [*submitted, approved["job"]["id"], credit["creditAccountRequest"]["id"]]
    foreign += [n["id"] for n in inbox["nodes"]]
    return Tenants(
        marker=marker,
        portal_a=a.contact,
        portal_b=b.contact,
        manager_a=managers[0],
        account_a=a.account_id,
        own_ids=[a.account_id, a.site_id, own_request["accountRequest"]["id"]],
        foreign=foreign,
        account_b=b.account_id,
        child_b=child,
        site_b=b.site_id,
        request_b=request_b,
        manager_b=managers[1].id,
        type_id=type_id,
    )
