"""Query limits: depth, aliases, tokens, and at most 100 items in any input list."""

from __future__ import annotations

import asyncio
import os

import httpx
import orjson

from models.permissions import Role
from tests.client import GraphQLClient, error_codes
from tests.factories import staff

NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }"


async def test_too_deep_query_is_refused(gql: GraphQLClient) -> None:
    # given a query nested 14 levels deep (limit 12)
    admin = await staff(Role.ADMIN)
    inner = "name"
    for _ in range(7):
        inner = f"manager {{ managedAccounts {{ nodes {{ {inner} }} }} }}"
    # when
    body = await gql.raw(f"{{ accounts {{ nodes {{ {inner} }} }} }}", token=admin.token)
    # then
    assert body["errors"] and "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_too_many_aliases_are_refused(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    aliases = " ".join(f"a{i}: __typename" for i in range(40))
    # when
    body = await gql.raw(f"{{ {aliases} }}", token=admin.token)
    # then
    assert "aliases" in body["errors"][0]["message"].lower()


def _fragment_bomb(levels: int, leaf: str) -> str:
    """About 1 KB: each fragment spreads the one before twice (2^levels when expanded)."""
    fragments = [f"fragment F0 on Query {{ {leaf} }}"] + [
        f"fragment F{n} on Query {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, levels + 1)
    ]
    return " ".join(fragments) + f" query {{ ...F{levels} }}"


async def test_a_fragment_bomb_is_measured_without_expanding_it(
    http: httpx.AsyncClient,
) -> None:
    # given a document whose fragments expand to 2^30 spreads (no sign-in needed)
    document = _fragment_bomb(30, "__typename")
    # when it is sent: the limits were counted with every spread expanded, which
    # held the event loop for hours (the guard below only turns a hang into a failure)
    response = await asyncio.wait_for(http.post("/graphql", json={"query": document}), 120)
    # then it is measured at once and answered
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_aliases_are_counted_through_fragments(gql: GraphQLClient) -> None:
    # given 32 aliases once fragments are expanded (limit 30), 2 in the text
    document = _fragment_bomb(4, "a: __typename b: __typename")
    # when
    body = await gql.raw(document)
    # then
    assert body["errors"][0]["message"] == "32 aliases found. Allowed: 30"
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_too_many_tokens_are_refused(gql: GraphQLClient) -> None:
    # when
    body = await gql.raw("{ " + "__typename " * 6000 + "}")
    # then
    assert "token" in body["errors"][0]["message"].lower()


async def test_input_list_over_100_in_variables_is_refused(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    ids = ["QWNjb3VudDox"] * 101
    # when
    body = await gql.raw(NODES, {"ids": ids}, token=admin.token)
    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["data"] is None


async def test_input_list_over_100_as_literal_is_refused(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    literal = ", ".join('"QWNjb3VudDox"' for _ in range(101))
    # when
    body = await gql.raw(f"{{ nodes(ids: [{literal}]) {{ id }} }}", token=admin.token)
    # then
    assert "at most 100 items" in body["errors"][0]["message"]


async def test_input_list_of_100_is_accepted(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    # when
    data = await gql(NODES, {"ids": ["QWNjb3VudDox"] * 100}, token=admin.token)
    # then
    assert data["nodes"] == [None] * 100


AFTER = "query($t: DateTime!) { accountRequests(filter: {createdAfter: $t}) { totalCount } }"


async def test_a_datetime_without_offset_is_refused_everywhere(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    # when
    naive = await gql.raw(AFTER, {"t": "2030-03-01T09:00:00"}, token=admin.token)
    aware = await gql.raw(AFTER, {"t": "2030-03-01T09:00:00+01:00"}, token=admin.token)
    # then
    [error] = naive["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"  # a variable's value, as Apollo
    assert "UTC offset" in error["message"]
    assert aware == {"data": {"accountRequests": {"totalCount": 0}}}


def test_the_validation_cache_can_hit() -> None:
    """The limit rules are the same classes for every request (the cache keys on them)."""
    from api.settings import load_settings
    from schema import build_schema

    schema = build_schema(load_settings())
    first = [factory() for factory in schema.extensions]
    second = [factory() for factory in schema.extensions]
    rules_of = [tuple(getattr(extension, "validation_rules", ())) for extension in first]
    again = [tuple(getattr(extension, "validation_rules", ())) for extension in second]
    assert any(rules_of) and rules_of == again


async def test_a_number_literal_larger_than_any_argument_is_refused(gql: GraphQLClient) -> None:
    # given an admin
    admin = await staff(Role.ADMIN)
    # when a document holds a 50,000-digit Int (graphql-core crashed converting it)
    body = await gql.raw(
        f"{{ accounts(first: {'9' * 50_000}) {{ totalCount }} }}", token=admin.token
    )
    # then it is refused with a code, as a value no argument takes
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error


async def test_documents_too_costly_to_parse_are_refused_before_parsing(
    gql: GraphQLClient,
) -> None:
    # given documents over the size limit, over the token limit, with a huge literal
    oversized = "{ __typename }" + " " * 100_001
    many_tokens = "{ " + " ".join(f"a{n}: __typename" for n in range(2_000)) + " }"
    long_literal = '{ accounts(filter: {search: "' + "x" * 20_000 + '"}) { totalCount } }'
    # when each is sent
    answers = [await gql.raw(query) for query in (oversized, many_tokens, long_literal)]
    # then each is refused with a code saying what to change
    messages = [answer["errors"][0]["message"] for answer in answers]
    assert all(a["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED" for a in answers)
    assert "at most 100000" in messages[0]
    assert "more than 3000 tokens" in messages[1]
    assert "pass long texts in variables" in messages[2]


def _resident_bytes() -> int:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def test_refused_variables_are_not_kept(http: httpx.AsyncClient) -> None:
    # given a signed-in client and variables far over the list limit (100,000 IDs)
    admin = await staff(Role.ADMIN)
    body = orjson.dumps(
        {
            "query": "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            "variables": {"ids": ["x"] * 100_000},
        }
    )
    headers = {"authorization": f"Bearer {admin.token}", "content-type": "application/json"}
    await http.post("/graphql", content=body, headers=headers)
    before = _resident_bytes()
    # when they are sent again and again
    for _ in range(20):
        response = await http.post("/graphql", content=body, headers=headers)
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # then the process does not keep them (each refusal held its variables in a cycle
    # the collector reached late: +150 MB for these twenty)
    grown = _resident_bytes() - before
    assert grown < 50 * 1024 * 1024, f"grew by {grown // 2**20} MB"
