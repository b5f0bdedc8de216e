"""Linked items across requests: moving accounts, query cost, inactive accounts, batch limits."""

from __future__ import annotations

from models.accounts import Account
from models.linked_items import (
    RequestInvoice,
    RequestServiceRecord,
    RequestTask,
)
from models.permissions import Role
from tests.account_requests.rows import make_request, request_gid
from tests.client import GraphQLClient, error_codes
from tests.conftest import StatementCounter
from tests.factories import make_account, staff
from tests.ids import gid
from tests.linked_items.operations import LINK, link, unlink
from tests.linked_items.rows import invoice, record, ref, task

MOVE = """
mutation($input: UpdateAccountRequestInput!) {
  updateAccountRequest(input: $input) {
    accountRequest { account { name } } userErrors { code field }
  }
}
"""


PAGE = """
query($first: Int!) {
  accountRequests(first: $first) { nodes { id linkedItems { nodes {
    __typename ... on Task { title } ... on Invoice { number }
  } } } }
}
"""


async def test_a_request_with_links_stays_on_its_account(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    target = await make_account("Target Inc")
    request = await make_request(account)
    rows = [await task(account), await invoice(account)]
    await link(gql, dispatcher.token, request, [ref(row) for row in rows])
    move = {"input": {"id": request_gid(request), "accountId": gid("Account", target.id)}}
    # when
    refused_move = (await gql(MOVE, move, dispatcher.token))["updateAccountRequest"]
    # then
    assert refused_move["userErrors"] == [
        {"code": "HAS_LINKED_ITEMS", "field": ["input", "accountId"]}
    ]
    # and after unlinking everything the move goes through
    for row in rows:
        assert (await unlink(gql, dispatcher.token, request, ref(row)))["userErrors"] == []
    moved = (await gql(MOVE, move, dispatcher.token))["updateAccountRequest"]
    assert moved["userErrors"] == []
    assert moved["accountRequest"]["account"] == {"name": "Target Inc"}


async def _requests_with_links(count: int, account: Account) -> None:
    for _ in range(count):
        request = await make_request(account)
        the_task, the_invoice = await task(account), await invoice(account)
        await RequestTask.create(request_id=request.id, task_id=the_task.id)
        await RequestInvoice.create(request_id=request.id, invoice_id=the_invoice.id)
        the_record = await record(account)
        await RequestServiceRecord.create(request_id=request.id, service_record_id=the_record.id)


async def test_linked_items_cost_the_same_for_5_and_50_requests(
    gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    await _requests_with_links(50, account)
    costs = []
    for first in (5, 50):
        # when
        count_statements.statements.clear()
        data = await gql(PAGE, {"first": first}, dispatcher.token)
        costs.append(count_statements.count)
        # then
        nodes = data["accountRequests"]["nodes"]
        assert len(nodes) == first
        assert all(len(node["linkedItems"]["nodes"]) == 3 for node in nodes)
    assert costs[0] == costs[1], costs


async def test_an_inactive_accounts_requests_take_no_links(gql: GraphQLClient) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account(active=False)
    request = await make_request(account)
    item = await record(account)
    # when
    result = await link(gql, dispatcher.token, request, [ref(item)])
    # then
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("ACCOUNT_INACTIVE", ["input", "accountRequestId"])
    ]


async def test_a_batch_takes_at_most_100_well_formed_ids(
    gql: GraphQLClient,
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    account = await make_account()
    request = await make_request(account)
    item = await record(account)
    # when
    too_many = await gql.raw(
        LINK,
        {"input": {"accountRequestId": request_gid(request), "itemIds": [ref(item)] * 101}},
        dispatcher.token,
    )
    malformed = await gql.raw(
        LINK,
        {"input": {"accountRequestId": request_gid(request), "itemIds": [ref(item), "nope"]}},
        dispatcher.token,
    )
    # then
    assert error_codes(too_many) == ["BAD_USER_INPUT"]
    assert error_codes(malformed) == ["BAD_USER_INPUT"]
