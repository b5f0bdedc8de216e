"""The seeded company's IDs, read back through the API, and its viewers kept signed in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from models import accounts, users
from models.permissions import Role
from tests.factories import token_for

if TYPE_CHECKING:
    from tests.fuzz.seed import Api, Company

# Several small reads rather than one: each stays under the query cost limit
# (schema.cost prices a nested list by the page sizes around it).
_ALL = "first: 100"
_SOME = "first: 20"
_ID = "{ __typename id }"
HARVEST = [
    f"""{{
  me {{ __typename ... on User {{ id }} ... on PortalContact {{ id }} }}
  accounts({_ALL}) {{ pageInfo {{ startCursor endCursor }} edges {{ cursor }} nodes {_ID} }}
  users({_ALL}) {{ nodes {_ID} }}
  teams({_ALL}) {{ nodes {_ID} }}
  accountRequestTypes(includeInactive: true) {_ID}
  accountRequests({_ALL}) {{ edges {{ cursor }} nodes {_ID} }}
  serviceRequests({_ALL}) {{ nodes {_ID} }}
  jobs({_ALL}) {{ nodes {_ID} }}
  creditAccountRequests({_ALL}) {{ nodes {_ID} }}
  outboxEmails({_ALL}) {{ nodes {_ID} }}
}}""",
    f"""{{
  accounts({_SOME}) {{
    nodes {{
      __typename id
      contacts({_SOME}) {{ nodes {_ID} }}
      sites({_SOME}) {{ nodes {_ID} }}
      tasks({_SOME}) {{ nodes {_ID} }}
      appointments({_SOME}) {{ nodes {_ID} }}
      serviceRecords({_SOME}) {{ nodes {_ID} }}
      invoices({_SOME}) {{ nodes {_ID} }}
      creditMemos({_SOME}) {{ nodes {_ID} }}
      creditAccountRequests {_ID}
    }}
  }}
}}""",
    """{
  byName: accountRequests(first: 5, orderBy: {field: ACCOUNT_NAME}) { edges { cursor } }
  byStatus: accountRequests(first: 5, orderBy: {field: STATUS}) { edges { cursor } }
  byUpdate: accountRequests(first: 5, orderBy: {field: UPDATED_AT}) { edges { cursor } }
  accounts(first: 5, orderBy: {field: NAME}) { edges { cursor } }
  serviceRequests(first: 5, orderBy: {field: URGENCY}) { edges { cursor } }
  jobs(first: 5, orderBy: {field: UPDATED_AT}) { edges { cursor } }
}""",
    f"""{{
  accountRequests({_SOME}) {{
    nodes {{
      __typename id
      photos({_SOME}) {{ nodes {_ID} }}
      timeline({_SOME}) {{ edges {{ cursor }} nodes {_ID} }}
    }}
  }}
}}""",
]
INBOX = f"""{{
  me {{ __typename ... on User {{ id }} ... on PortalContact {{ id }} }}
  notifications({_ALL}) {{ edges {{ cursor }} nodes {{ __typename id cursor }} }}
}}"""


def _collect(value: Any, company: Company) -> None:
    """Every `{__typename, id}` object into the ID pool, every cursor into the cursors."""
    if isinstance(value, list):
        for item in value:
            _collect(item, company)
        return
    if not isinstance(value, dict):
        return
    if "id" in value and "__typename" in value:
        found = company.ids.setdefault(value["__typename"], [])
        if value["id"] not in found:
            found.append(value["id"])
    for key, item in value.items():
        if key in ("cursor", "startCursor", "endCursor") and isinstance(item, str):
            if item not in company.cursors:
                company.cursors.append(item)
        else:
            _collect(item, company)


async def harvest(api: Api, company: Company) -> None:
    """Read back every object's ID as the admin, and each viewer's own notifications."""
    for query in HARVEST:
        _collect(await api.run(query), company)
    for token in company.tokens.values():
        if token is not None:
            _collect(await api.run(INBOX, token=token), company)


async def heal(company: Company) -> None:
    """Give every viewer back what fuzzed mutations may have taken (activity, roles,
    portal access, its account, its token), so the long run keeps all eight viewers."""
    for role in Role:
        user = await users.User.get(id=company.user_rows[role.value])
        user.is_active = True
        await user.save(update_fields=["is_active"])
        await users.set_roles(user, [role])
        company.tokens[role.value] = await token_for(user)
    contact = await accounts.Contact.get(id=company.contact_row)
    contact.portal_access = True
    await contact.save(update_fields=["portal_access"])
    await accounts.Account.filter(id=contact.account_id).update(is_active=True)
    company.tokens["PORTAL"] = await token_for(contact)
