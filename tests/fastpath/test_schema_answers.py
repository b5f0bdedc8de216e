"""Introspection-only operations (GraphiQL's, every client's codegen) are answered
from the first direct answer of the same document and variables: the schema is fixed
for the process, so the answer is too (fastpath/direct.py, `_introspection_key`)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query

from fastpath import direct
from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import staff


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operations the direct lane handed to graphql-core's `execute`."""
    runs: list[str] = []
    original = direct.execute

    def counted(schema: Any, document: Any, *args: Any, **kwargs: Any) -> Any:
        runs.append(document.definitions[0].name.value)
        return original(schema, document, *args, **kwargs)

    monkeypatch.setattr(direct, "execute", counted)
    return runs


@pytest.mark.fast_paths
async def test_an_introspection_query_is_executed_once_then_answered_as_before(
    gql: GraphQLClient, executions: list[str]
) -> None:
    # given GraphiQL's introspection query, under a name no other test sends
    admin = await staff(Role.ADMIN)
    query = get_introspection_query(descriptions=True).replace(
        "query IntrospectionQuery", "query SchemaAnswersOnce"
    )
    # when it is sent four times
    answers = [await gql(query, token=admin.token) for _ in range(4)]
    # then every answer is the same whole schema
    assert all(answer == answers[0] for answer in answers)
    names = {kind["name"] for kind in answers[0]["__schema"]["types"]}
    assert {"Query", "AccountRequest", "Mutation"} <= names
    # and after the first direct run nothing was executed again
    assert executions.count("SchemaAnswersOnce") == 1


@pytest.mark.fast_paths
async def test_schema_answers_are_kept_per_variables(
    gql: GraphQLClient, executions: list[str]
) -> None:
    # given one document asking for a type named by a variable
    admin = await staff(Role.ADMIN)
    query = "query SchemaTypeByName($name: String!) { __type(name: $name) { name kind } }"
    # when it is asked for two types, each twice more
    answers: dict[str, list[Any]] = {}
    for name in ("AccountRequest", "RequestStatus"):
        for _ in range(3):
            answer = await gql(query, {"name": name}, token=admin.token)
            answers.setdefault(name, []).append(answer["__type"])
    # then each name has its own answer, the same every time, executed once each
    assert executions.count("SchemaTypeByName") == 2
    assert answers["AccountRequest"] == [{"name": "AccountRequest", "kind": "OBJECT"}] * 3
    assert answers["RequestStatus"] == [{"name": "RequestStatus", "kind": "ENUM"}] * 3


@pytest.mark.fast_paths
async def test_an_operation_reading_data_beside_the_schema_is_executed_every_time(
    gql: GraphQLClient, executions: list[str]
) -> None:
    # given a document asking for the schema's query type and the viewer
    admin = await staff(Role.ADMIN)
    query = "query SchemaAndViewer { __schema { queryType { name } } me { __typename } }"
    # when it is sent four times
    answers = [await gql(query, token=admin.token) for _ in range(4)]
    # then it was executed each time it went the direct way (never kept)
    assert all(answer == answers[0] for answer in answers)
    assert executions.count("SchemaAndViewer") >= 3
