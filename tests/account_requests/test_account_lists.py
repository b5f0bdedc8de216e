"""An account's own request list, and what a portal contact cannot see or guess."""

from __future__ import annotations

from models.permissions import Role
from tests.account_requests.operations import _counts, _numbers
from tests.account_requests.rows import S, day, make_request, request_gid
from tests.client import GraphQLClient
from tests.factories import make_account, portal_contact, staff
from tests.ids import gid

# --- Account.accountRequests ----------------------------------------------------------

ACCOUNT_REQUESTS = """
query Of($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on Account {
      accountRequests(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { number }
      }
    }
  }
}
"""


async def test_an_account_lists_its_own_requests_newest_first(gql: GraphQLClient) -> None:
    # given
    dana = await staff(Role.DISPATCHER)
    acme = await make_account()
    sub = await make_account(parent=acme)
    ours = [await make_request(acme, created_at=day(n)) for n in (3, 1, 2)]
    await make_request(sub)
    await make_request(await make_account())
    # when
    variables = {"id": gid("Account", acme.id), "first": 2}
    page = (await gql(ACCOUNT_REQUESTS, variables, token=dana.token))["node"]["accountRequests"]
    rest = (
        await gql(
            ACCOUNT_REQUESTS, {**variables, "after": page["pageInfo"]["endCursor"]}, dana.token
        )
    )["node"]["accountRequests"]
    # then
    newest_first = [ours[0].id, ours[2].id, ours[1].id]
    assert [n["number"] for n in page["nodes"] + rest["nodes"]] == newest_first
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"]
    assert not rest["pageInfo"]["hasNextPage"]


# --- portal contacts ------------------------------------------------------------------

GUESS = """
query Guess($id: ID!, $ids: [ID!]!) {
  node(id: $id) { id }
  nodes(ids: $ids) { id }
}
"""


async def test_a_portal_contact_cannot_see_count_or_guess_other_accounts_requests(
    gql: GraphQLClient,
) -> None:
    # given Carol of Acme, and requests of Acme and of Beta
    acme = await make_account("Acme")
    beta = await make_account("Beta")
    carol = await portal_contact(acme)
    ours = await make_request(acme, note="our printer")
    theirs = await make_request(beta, note="their printer", status=S.IN_PROGRESS)
    # when / then the list and the counts show Acme's only, whatever the filter
    for filter in (
        None,
        {"search": "printer"},
        {"accountIds": [gid("Account", beta.id)]},
        {"accountIds": [gid("Account", acme.id), gid("Account", beta.id)]},
        {"statuses": ["IN_PROGRESS"]},
    ):
        numbers = await _numbers(gql, carol.token, filter)
        assert theirs.id not in numbers
        counts = await _counts(gql, carol.token, filter)
        assert counts["IN_PROGRESS"] == 0
        assert sum(counts.values()) == len(numbers)
    assert await _numbers(gql, carol.token) == [ours.id]
    # and guessing IDs reads exactly like IDs that do not exist
    guessed = await gql(
        GUESS,
        {"id": request_gid(theirs), "ids": [request_gid(theirs), gid("AccountRequest", 99_999)]},
        token=carol.token,
    )
    assert guessed == {"node": None, "nodes": [None, None]}
    own = await gql(GUESS, {"id": request_gid(ours), "ids": [request_gid(ours)]}, carol.token)
    assert own == {"node": {"id": request_gid(ours)}, "nodes": [{"id": request_gid(ours)}]}
    other_account = await gql(ACCOUNT_REQUESTS, {"id": gid("Account", beta.id)}, token=carol.token)
    assert other_account == {"node": None}
    mine = await gql(ACCOUNT_REQUESTS, {"id": gid("Account", acme.id)}, token=carol.token)
    assert [n["number"] for n in mine["node"]["accountRequests"]["nodes"]] == [ours.id]
