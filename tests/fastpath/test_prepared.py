"""`fastpath.prepared`: an admitted document's executor built from its operation, its
fragments and its variables' coerced values, kept per raw values where coercing them
is pure; every answer is still each request's own."""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
from graphql import GraphQLError, parse
from graphql.execution.values import get_variable_values

from api.settings import load_settings
from fastpath import prepared
from fastpath.prepared import build_prepared
from models.account_requests import AccountRequest, RequestStatus
from models.permissions import Role
from schema import build_schema
from tests.client import GraphQLClient
from tests.factories import staff
from tests.fastpath.test_direct import _requests

PAGE = """query PreparedPage($first: Int!, $filter: AccountRequestFilter,
                         $orderBy: AccountRequestOrder) {
  accountRequests(first: $first, filter: $filter, orderBy: $orderBy) {
    nodes { status createdAt }
    ...PreparedCount
  }
}

fragment PreparedCount on AccountRequestConnection { totalCount }"""


@pytest.fixture(scope="module")
def executor_class() -> Any:
    schema = build_schema(load_settings(compiled_projections=True, direct_queries=True))
    assert schema.engine.executor is not None
    return schema._schema, schema.engine.executor


def _build(executor_class: Any, document: Any, variables: dict[str, Any] | None) -> Any:
    schema, cls = executor_class
    return build_prepared(cls, schema, document, None, variables, None, None)


def test_the_same_raw_values_are_coerced_once_and_other_values_anew(
    executor_class: Any,
) -> None:
    schema, _ = executor_class
    document = parse(PAGE)
    first = {"first": 5, "filter": {"statuses": ["OPEN"], "createdAfter": "2026-01-01T00:00Z"}}
    # when the document is built for the same values twice, and for others
    built = [_build(executor_class, document, dict(first)) for _ in range(3)]
    other = _build(executor_class, document, {"first": 5, "filter": {"statuses": ["COMPLETED"]}})
    # then each executor has graphql-core's own coercion of its own values
    operation = document.definitions[0]
    for executor, variables in [*((b, first) for b in built), (other, None)]:
        expected = get_variable_values(
            schema,
            operation.variable_definitions,  # type: ignore[attr-defined]
            variables or {"first": 5, "filter": {"statuses": ["COMPLETED"]}},
        )
        assert not isinstance(expected, list)
        assert executor.variable_values.coerced == expected.coerced
        assert executor.operation is operation
        assert set(executor.fragments) == {"PreparedCount"}
    # and the same raw values were coerced once (kept), the executors are each new
    assert built[1].variable_values is built[2].variable_values
    assert built[0] is not built[1] and built[1].context_value is None
    assert other.variable_values is not built[1].variable_values
    assert other.variable_values.coerced["filter"]["statuses"] == [RequestStatus.COMPLETED]


def test_values_are_keyed_with_their_types_and_errors_are_never_kept(
    executor_class: Any,
) -> None:
    document = parse(
        "query PreparedTypes($first: Int!) { accountRequests(first: $first) { totalCount } }"
    )
    assert not isinstance(_build(executor_class, document, {"first": 1}), list)
    # when the same value comes as another type (true == 1 in Python, not in GraphQL)
    refused = [_build(executor_class, document, {"first": True}) for _ in range(2)]
    # then it is refused each time, as graphql-core refuses it
    for errors in refused:
        assert isinstance(errors, list) and isinstance(errors[0], GraphQLError)
        assert "Int cannot represent non-integer value: True" in errors[0].message
    # and 1.0 (a float GraphQL takes as an Int) and 1 are kept apart, both coerced to 1
    as_float = _build(executor_class, document, {"first": 1.0})
    as_int = _build(executor_class, document, {"first": 1})
    assert as_float.variable_values is not as_int.variable_values
    assert as_int.variable_values.coerced == {"first": 1}
    # and a value too big for an Int, or of a kind no key is made for, is coerced (and
    # refused) every time
    assert isinstance(_build(executor_class, document, {"first": 2**70}), list)
    assert prepared.raw_key({"first": object()}) is None
    assert isinstance(_build(executor_class, document, {"first": object()}), list)


def test_custom_scalars_not_named_pure_are_coerced_every_time(executor_class: Any) -> None:
    schema, cls = executor_class
    document = parse(PAGE)
    variables = {"first": 1, "filter": {"createdAfter": "2026-01-01T00:00:00+01:00"}}
    # given an executor class that names no scalar pure (the filter has DateTimes)
    plain = type("Unnamed", (cls,), {"pure_scalars": frozenset()})
    prepared._prepared.clear()
    built = [build_prepared(plain, schema, document, None, variables, None, None) for _ in range(2)]
    # then the values were coerced for each build, the same way
    assert built[0].variable_values is not built[1].variable_values
    assert built[0].variable_values.coerced == built[1].variable_values.coerced
    # and with DateTime named pure they are kept
    prepared._prepared.clear()
    kept = [build_prepared(cls, schema, document, None, variables, None, None) for _ in range(2)]
    assert kept[0].variable_values is kept[1].variable_values


def test_another_schema_or_operation_is_built_for_itself(executor_class: Any) -> None:
    schema, cls = executor_class
    document = parse(
        "query PreparedA { accountRequests(first: 1) { totalCount } }\n"
        "query PreparedB { accountRequests(first: 2) { totalCount } }"
    )
    a = build_prepared(cls, schema, document, None, None, "PreparedA", None)
    b = build_prepared(cls, schema, document, None, None, "PreparedB", None)
    assert a.operation.name.value == "PreparedA" and b.operation.name.value == "PreparedB"
    # without a name, a document of two operations is refused each time
    assert isinstance(build_prepared(cls, schema, document, None, None, None, None), list)
    other_schema = build_schema(
        load_settings(compiled_projections=True, direct_queries=True)
    )._schema
    again = build_prepared(cls, other_schema, document, None, None, "PreparedA", None)
    assert again.schema is other_schema


async def test_the_same_document_with_other_variables_gets_other_answers(
    gql: GraphQLClient,
) -> None:
    # given two open requests and a completed one, and Apollo's page document
    await _requests(3)
    first = await AccountRequest.all().order_by("id").first()
    assert first is not None
    await AccountRequest.filter(id=first.id).update(status=RequestStatus.COMPLETED)
    dispatcher = await staff(Role.DISPATCHER)

    async def page(**variables: Any) -> tuple[list[str], int]:
        data = (await gql(PAGE, variables, token=dispatcher.token))["accountRequests"]
        return [node["status"] for node in data["nodes"]], data["totalCount"]

    # when it is read again and again with the same values, others, then the first again
    opened = {"first": 5, "filter": {"statuses": ["OPEN"]}}
    for _ in range(3):
        assert await page(**opened) == (["OPEN", "OPEN"], 2)
    assert await page(first=5, filter={"statuses": ["COMPLETED"]}) == (["COMPLETED"], 1)
    assert await page(first=1, filter={"statuses": ["OPEN"]}) == (["OPEN"], 2)
    everything = await page(first=5, orderBy={"field": "CREATED_AT", "direction": "ASC"})
    assert sorted(everything[0]) == ["COMPLETED", "OPEN", "OPEN"] and everything[1] == 3
    # then each answer is its own variables' (and a wrong one is refused, not kept)
    bad = await gql.raw(PAGE, {"first": "five"}, token=dispatcher.token)
    assert bad["errors"]
    assert await page(**opened) == (["OPEN", "OPEN"], 2)


def test_an_executor_made_from_kept_attributes_is_as_the_constructor_makes_it(
    executor_class: Any,
) -> None:
    schema, cls = executor_class
    document = parse(PAGE)
    variables = {"first": 3, "filter": {"statuses": ["OPEN"]}}
    prepared._prepared.clear()

    def build(context: object) -> Any:
        return build_prepared(cls, schema, document, context, variables, None, is_awaitable)

    def is_awaitable(value: Any) -> bool:
        return False

    # given the first build (graphql-core's) and the second (the constructor's, kept)
    first, second = build("first"), build("second")
    assert prepared._known_shape(second)
    # when more are made for other requests
    third, fourth = build("third"), build("fourth")
    constructed = cls(
        schema,
        second.fragment_definitions,
        second.fragments,
        None,
        "fifth",
        second.operation,
        second.variable_values,
        second.field_resolver,
        second.type_resolver,
        second.subscribe_field_resolver,
        False,
        None,
        is_awaitable,
        None,
    )
    # then each holds what the constructor makes, attribute for attribute, its context
    # and its own state (errors, futures, plans) its own
    for made in (third, fourth):
        set_after = {"one_operation", "values_kept"}  # by the build, after the constructor
        assert type(made) is cls and vars(made).keys() == vars(constructed).keys() | set_after
        assert made.context_value in {"third", "fourth"}
        for name, value in vars(constructed).items():
            kept = getattr(made, name)
            if name in prepared._OWN:
                assert kept is not getattr(second, name) and type(kept) is type(value)
                assert kept is not getattr(third if made is fourth else fourth, name)
            elif name == "async_helpers":
                assert kept.gather.__self__ is made and kept.track.__self__ is made
            elif name != "context_value":
                assert kept == value, name
        assert made.values_kept and made.one_operation == first.one_operation
        assert made.variable_values is second.variable_values
    # and an error collected by one request is not another's
    third.collected_errors.add(GraphQLError("only the third's"), None)
    assert fourth.collected_errors.errors == [] and build("sixth").collected_errors.errors == []


def test_raw_values_are_kept_only_where_their_json_reads_back_as_them() -> None:
    assert prepared.raw_key(None) == prepared.raw_key({}) == b"{}"
    assert prepared.raw_key({"a": 1}) != prepared.raw_key({"a": 1.0})
    assert prepared.raw_key({"a": 1}) != prepared.raw_key({"a": True})
    assert prepared.raw_key({"a": None}) == b'{"a":null}'
    # (NaN and infinities would be written as null, an enum member as its value)
    for odd in (float("nan"), float("inf"), _Plain.A, b"x", {1: 2}, 2**70, object()):
        assert prepared.raw_key({"a": odd}) is None, odd


class _Plain(Enum):
    A = "A"
