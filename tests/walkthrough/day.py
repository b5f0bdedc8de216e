"""The day issue 22's walkthrough starts from, built through GraphQL as clients build it.

The people on the roster are seeds (written through the factories); everything that
happens to them during the day goes through the API's mutations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from models.accounts import Contact
from models.permissions import Role
from tests.auth.operations import login
from tests.client import GraphQLClient
from tests.factories import Person, staff
from tests.ids import gid

CONTACT_PASSWORD = "a long portal passphrase 22"
CONTACT_EMAIL = "cora@customer.example"


async def mutate(
    gql: GraphQLClient, name: str, values: dict[str, Any], who: Person | None, selection: str
) -> dict[str, Any]:
    """Send mutation `name` with `values` as its input (no userErrors allowed)."""
    input_type = name[0].upper() + name[1:] + "Input"
    document = (
        f"mutation($input: {input_type}!) {{ {name}(input: $input) "
        f"{{ {selection} userErrors {{ code field message }} }} }}"
    )
    data = await gql(document, {"input": values}, who.token if who else None)
    payload: dict[str, Any] = data[name]
    assert payload["userErrors"] == [], (name, payload["userErrors"])
    return payload


@dataclass
class Day:
    """The roster and the global IDs of what the day made."""

    admin: Person
    dispatcher: Person
    technician: Person
    field_tech: Person
    project_manager: Person
    accounting: Person
    manager: Person
    new_manager: Person
    leader: Person
    member: Person
    leaver: Person
    contact: Person = field(init=False)
    ids: dict[str, str] = field(default_factory=dict)

    def staff(self) -> dict[str, Person]:
        """Every staff user who can still sign in, by their part in the day."""
        return {
            "admin": self.admin,
            "dispatcher": self.dispatcher,
            "technician": self.technician,
            "field_tech": self.field_tech,
            "project_manager": self.project_manager,
            "accounting": self.accounting,
            "manager": self.manager,
            "new_manager": self.new_manager,
            "leader": self.leader,
            "member": self.member,
        }


async def roster() -> Day:
    return Day(
        admin=await staff(Role.ADMIN, name="Ada Admin"),
        dispatcher=await staff(Role.DISPATCHER, name="Dora Dispatch"),
        technician=await staff(Role.TECHNICIAN, name="Tom Tech"),
        field_tech=await staff(Role.TECHNICIAN, name="Fay Field"),
        project_manager=await staff(Role.PROJECT_MANAGER, name="Pat Projects"),
        accounting=await staff(Role.ACCOUNTING, name="Abe Billing"),
        manager=await staff(Role.ACCOUNT_MANAGER, name="Mona Manager"),
        new_manager=await staff(Role.ACCOUNT_MANAGER, name="Nick Newman"),
        leader=await staff(Role.ACCOUNTING, name="Lee Leader"),
        member=await staff(Role.ACCOUNTING, name="Mia Member"),
        leaver=await staff(Role.TECHNICIAN, name="Otto Leaving"),
    )


async def build_day(gql: GraphQLClient, *, handover: bool = True) -> Day:
    """The whole day; without `handover`, Mona keeps Acme to the end."""
    day = await roster()
    ids = day.ids
    admin, dispatcher = day.admin, day.dispatcher

    # the company: service requests on, a credit team led by Lee, a portal request type
    team = await mutate(
        gql,
        "createTeam",
        {
            "name": "Accounts",
            "leaderId": gid("User", day.leader.id),
            "memberIds": [gid("User", day.leader.id), gid("User", day.member.id)],
        },
        admin,
        "team { id }",
    )
    settings = {"serviceRequestsEnabled": True, "creditTeamId": team["team"]["id"]}
    await mutate(gql, "updateCompanySettings", settings, admin, "")
    kind = await mutate(
        gql,
        "createAccountRequestType",
        {"name": "Billing question", "portalAvailable": True},
        admin,
        "accountRequestType { id }",
    )
    ids["type"] = kind["accountRequestType"]["id"]

    # the customer: an account managed by Mona, a sub-account, a site, a portal contact
    account = await mutate(gql, "createAccount", {"name": "Acme"}, admin, "account { id }")
    ids["account"] = account["account"]["id"]
    sub = {"name": "Acme North", "parentId": ids["account"]}
    ids["sub"] = (await mutate(gql, "createAccount", sub, admin, "account { id }"))["account"]["id"]
    manager = {"accountId": ids["account"], "managerId": gid("User", day.manager.id)}
    await mutate(gql, "setAccountManager", manager, admin, "")
    site = {"accountId": ids["account"], "name": "Plant", "street": "1 Main St"}
    ids["site"] = (await mutate(gql, "createSite", site, admin, "site { id }"))["site"]["id"]
    contact = {
        "accountId": ids["account"],
        "name": "Cora Customer",
        "email": CONTACT_EMAIL,
        "portalAccess": True,
        "password": CONTACT_PASSWORD,
    }
    await mutate(gql, "createContact", contact, admin, "contact { id }")
    signed_in = await login(gql, CONTACT_EMAIL, CONTACT_PASSWORD)
    assert signed_in["userErrors"] == [], signed_in
    day.contact = Person(await Contact.get(portal_email=CONTACT_EMAIL), signed_in["token"])

    # the contact submits a service request and raises an account request
    submitted = {
        "siteId": ids["site"],
        "serviceType": "REPAIR",
        "description": "The boiler knocks",
        "preferredDate": "2099-01-15",
    }
    payload = await mutate(
        gql, "submitServiceRequest", submitted, day.contact, "serviceRequest { id }"
    )
    ids["service_request"] = payload["serviceRequest"]["id"]
    raised = {"typeId": ids["type"], "note": "Why was I billed twice?"}
    payload = await mutate(
        gql, "createAccountRequest", raised, day.contact, "accountRequest { id }"
    )
    ids["portal_request"] = payload["accountRequest"]["id"]

    # the dispatcher gives work to every role that may see the account
    await mutate(
        gql,
        "updateAccountRequest",
        {"id": ids["portal_request"], "assigneeId": gid("User", day.accounting.id)},
        dispatcher,
        "",
    )
    for name, person, account_id, internal in [
        ("technician_request", day.technician, ids["account"], False),
        ("pm_request", day.project_manager, ids["account"], True),
        ("manager_request", day.manager, ids["sub"], False),
        ("leaver_request", day.leaver, ids["account"], False),
    ]:
        created = {
            "accountId": account_id,
            "typeId": ids["type"],
            "assigneeId": gid("User", person.id),
            "note": f"Work for {name}",
            "internal": internal,
        }
        payload = await mutate(
            gql, "createAccountRequest", created, dispatcher, "accountRequest { id }"
        )
        ids[name] = payload["accountRequest"]["id"]
    task = {
        "accountRequestId": ids["technician_request"],
        "title": "Call the customer back",
        "assigneeId": gid("User", day.technician.id),
        "dueAt": "2099-01-10T15:00:00Z",
    }
    payload = await mutate(gql, "addTaskToAccountRequest", task, dispatcher, "task { id }")
    ids["task"] = payload["task"]["id"]
    appointment = {
        "accountId": ids["account"],
        "startsAt": "2099-01-12T16:00:00Z",
        "endsAt": "2099-01-12T17:00:00Z",
        "siteId": ids["site"],
        "assigneeId": gid("User", day.project_manager.id),
    }
    payload = await mutate(gql, "createAppointment", appointment, dispatcher, "appointment { id }")
    ids["appointment"] = payload["appointment"]["id"]
    payload = await mutate(
        gql, "approveServiceRequest", {"id": ids["service_request"]}, dispatcher, "job { id }"
    )
    ids["job"] = payload["job"]["id"]
    assign = {"id": ids["job"], "assigneeId": gid("User", day.field_tech.id)}
    await mutate(gql, "assignJob", assign, dispatcher, "")

    # Mona hands Acme to Nick; she keeps the request assigned to her
    if handover:
        to_nick = {"accountId": ids["account"], "managerId": gid("User", day.new_manager.id)}
        await mutate(gql, "setAccountManager", to_nick, admin, "")

    # Pat asks for credit; Lee gives the request to Mia
    credit = {"accountId": ids["account"], "requestedLimit": "5000.00", "note": "Big order"}
    payload = await mutate(
        gql, "requestCreditAccount", credit, day.project_manager, "creditAccountRequest { id }"
    )
    ids["credit"] = payload["creditAccountRequest"]["id"]
    delegate = {"requestId": ids["credit"], "assigneeId": gid("User", day.member.id)}
    await mutate(gql, "assignCreditAccountRequest", delegate, day.leader, "")

    # Otto leaves with open work; Cora forgets her password
    await mutate(gql, "archiveUser", {"userId": gid("User", day.leaver.id)}, admin, "")
    await mutate(gql, "requestPasswordReset", {"email": CONTACT_EMAIL}, None, "ok")
    return day
