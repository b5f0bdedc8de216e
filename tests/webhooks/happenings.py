"""Something that happens, as a client makes it happen: the event most tests deliver."""

from __future__ import annotations

from models.permissions import Role
from tests.account_requests.operations import create_request
from tests.account_requests.rows import make_type
from tests.client import GraphQLClient
from tests.factories import Person, make_account, staff
from tests.ids import gid


async def raise_request(gql: GraphQLClient, admin: Person | None = None) -> str:
    """An admin raises an account request (ACCOUNT_REQUEST_CREATED); its global ID."""
    who = admin or await staff(Role.ADMIN)
    account = await make_account()
    request_type = await make_type()
    payload = await create_request(
        gql,
        who.token,
        accountId=gid("Account", account.id),
        typeId=gid("AccountRequestType", request_type.id),
    )
    assert payload["userErrors"] == [], payload
    request_id: str = payload["accountRequest"]["id"]
    return request_id
