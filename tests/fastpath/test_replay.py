"""Remembered statements (fastpath/replay.py): on PostgreSQL, a query answered by one
JSON-lane statement for a remembered viewer is answered again by that statement
alone, without its resolver; on SQLite (no remembered viewers) never.

These tests count the resolver's calls to see which way an answer came, and check that
a replayed answer is the one the resolver would give now: the rows as they are now, each
viewer's own, each variable's own, the clock read anew. The suite's execution check
also compares every replayed answer with graphql-core's own execution.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from fastpath import page_statement
from fastpath.replay import Recording, Replays
from models import clock
from models.account_requests import AccountRequest, RequestSource
from models.auth import AuthToken
from models.directory.users import User, UserRole
from models.permissions import Role
from models.request_types import AccountRequestType
from schema.account_requests import queries as account_queries
from schema.service_requests import queries as service_queries
from tests.client import GraphQLClient
from tests.conftest import StatementCounter
from tests.factories import Person, make_account, staff
from tests.fastpath.lane import lane_statements
from tests.service_requests.people import pending_request

pytestmark = pytest.mark.fast_paths

LIST = """query ReplayedList($first: Int!) {
  __typename
  accountRequests(first: $first, filter: {statuses: [OPEN]}) {
    totalCount nodes { id note account { name } }
  }
}"""
SEARCH = """query ReplayedSearch {
  accountRequests(first: 5, filter: {search: "boiler"}) { nodes { note } }
}"""
QUEUE = """query ReplayedQueue {
  serviceRequests(first: 5, filter: {statuses: [PENDING]}) {
    nodes { id jobDraft { slaDueAt } }
  }
}"""


def _counted(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[str]:
    """Calls of `module.name` (a coroutine function the resolver calls), the execution
    check's too."""
    calls: list[str] = []
    original = getattr(module, name)

    async def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return await original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.fixture
def resolver_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The account-request list's resolver calls."""
    return _counted(monkeypatch, account_queries, "list_requests")


async def _world(notes: tuple[str, ...] = ("first", "second")) -> tuple[Any, Any]:
    kind, _ = await AccountRequestType.get_or_create(name="Billing")
    account = await make_account(name="Replayed Ltd")
    for note in notes:
        await AccountRequest.create(
            account_id=account.id, type_id=kind.id, note=note, source=RequestSource.STAFF
        )
    return kind, account


async def _warm(gql: GraphQLClient, document: str, token: str, **variables: Any) -> Any:
    """Read until admitted, compiled and (where it may be) remembered."""
    data = None
    for _ in range(3):
        data = await gql(document, variables or None, token=token)
    return data


async def _remembered_admin(gql: GraphQLClient) -> tuple[Person, Any]:
    """An admin who has read LIST's first ten until it was remembered, and the last
    answer they had."""
    admin = await staff(Role.ADMIN)
    return admin, await _warm(gql, LIST, admin.token, first=10)


def _notes(data: Any) -> list[str]:
    return sorted(node["note"] for node in data["accountRequests"]["nodes"])


async def test_a_list_read_again_is_its_remembered_statement_alone(
    gql: GraphQLClient,
    count_statements: StatementCounter,
    resolver_calls: list[str],
    backends: str,
) -> None:
    # given an admin who has read the list before
    await _world()
    admin, warmed = await _remembered_admin(gql)
    # when they read it again
    resolver_calls.clear()
    count_statements.statements.clear()
    data = await gql(LIST, {"first": 10}, token=admin.token)
    # then the answer is the same
    assert data == warmed
    assert data["__typename"] == "Query"
    assert data["accountRequests"]["totalCount"] == 2
    if backends == "services":
        # and on PostgreSQL only the statement ran, carrying the viewer's proof; the
        # resolver was called only by the suite's execution check, after the answer
        assert resolver_calls == ["list_requests"]
        [answer, *checked] = count_statements.statements  # the check's follow
        assert "proof_" in answer and "json_build_object" in answer
        assert not any('"auth_tokens"' in sql for sql in checked)
    else:
        assert resolver_calls == ["list_requests", "list_requests"]


async def test_a_replayed_list_shows_the_rows_as_they_are_now(
    gql: GraphQLClient, resolver_calls: list[str], backends: str
) -> None:
    # given a remembered list
    kind, account = await _world()
    admin = await staff(Role.ADMIN)
    await _warm(gql, LIST, admin.token, first=10)
    # when a request is added and another changed behind the server's back
    await AccountRequest.create(
        account_id=account.id, type_id=kind.id, note="third", source=RequestSource.STAFF
    )
    await AccountRequest.filter(note="first").update(note="changed")
    resolver_calls.clear()
    data = await gql(LIST, {"first": 10}, token=admin.token)
    # then the next answer shows both, and counts them
    assert _notes(data) == ["changed", "second", "third"]
    assert data["accountRequests"]["totalCount"] == 3
    assert len(resolver_calls) == (1 if backends == "services" else 2)


async def test_each_variables_and_each_viewer_have_their_own_statement(
    gql: GraphQLClient, resolver_calls: list[str], backends: str
) -> None:
    # given an admin and a manager of another account, both remembered for both pages
    await _world()
    manager = await staff(Role.ACCOUNT_MANAGER)
    kind, _ = await AccountRequestType.get_or_create(name="Billing")
    theirs = await make_account(name="Managed", manager=cast(User, manager.row))
    await AccountRequest.create(
        account_id=theirs.id, type_id=kind.id, note="managed", source=RequestSource.STAFF
    )
    admin = await staff(Role.ADMIN)
    for person in (admin, manager):
        for first in (1, 10):
            await _warm(gql, LIST, person.token, first=first)
    # when each reads each page again
    resolver_calls.clear()
    admin_one = await gql(LIST, {"first": 1}, token=admin.token)
    admin_all = await gql(LIST, {"first": 10}, token=admin.token)
    manager_all = await gql(LIST, {"first": 10}, token=manager.token)
    # then each answer is that viewer's and that page's
    assert len(admin_one["accountRequests"]["nodes"]) == 1
    assert _notes(admin_all) == ["first", "managed", "second"]
    assert _notes(manager_all) == ["managed"]
    # (the manager's list reads rows apart from its page, so it is never replayed: its
    # resolver answers each time; the admin's two pages are replayed)
    assert len(resolver_calls) == (4 if backends == "services" else 6)


async def test_each_viewer_s_replay_carries_its_own_proof(
    gql: GraphQLClient, resolver_calls: list[str], backends: str
) -> None:
    # given two admins, each with the list remembered
    await _world()
    ada, bob = await staff(Role.ADMIN), await staff(Role.ADMIN)
    for person in (ada, bob):
        await _warm(gql, LIST, person.token, first=10)
    # when Bob's token is revoked elsewhere
    await AuthToken.filter(user_id=bob.id).update(revoked_at=clock.now())
    resolver_calls.clear()
    # then Bob is answered as nobody, and Ada as before
    assert await gql.raw(LIST, {"first": 10}, token=bob.token) == await gql.raw(LIST, {"first": 10})
    calls_for_bob = len(resolver_calls)
    data = await gql(LIST, {"first": 10}, token=ada.token)
    assert _notes(data) == ["first", "second"]
    assert calls_for_bob == 0  # refused before any resolver: signed in as nobody
    assert len(resolver_calls) == (1 if backends == "services" else 2)


async def test_changed_roles_are_not_answered_by_the_old_viewer_s_statement(
    gql: GraphQLClient, resolver_calls: list[str], backends: str
) -> None:
    # given an admin's remembered list
    await _world()
    admin, _ = await _remembered_admin(gql)
    # when they become an account manager of no account, elsewhere
    await UserRole.filter(user_id=admin.id).delete()
    await UserRole.create(user_id=admin.id, role=Role.ACCOUNT_MANAGER)
    resolver_calls.clear()
    data = await gql(LIST, {"first": 10}, token=admin.token)
    # then the list is theirs now: empty, made by the resolver for the new viewer
    assert data["accountRequests"] == {"totalCount": 0, "nodes": []}
    assert len(resolver_calls) == 2  # the answer's and the check's


async def test_a_list_that_reads_rows_in_python_first_is_never_replayed(
    gql: GraphQLClient, resolver_calls: list[str]
) -> None:
    # given a search (its matches are looked up before the page's statement)
    await _world(("boiler check", "other"))
    admin = await staff(Role.ADMIN)
    await _warm(gql, SEARCH, admin.token)
    # when it is read again, then its resolver runs, whatever the backend
    resolver_calls.clear()
    data = await gql(SEARCH, token=admin.token)
    assert _notes(data) == ["boiler check"]
    assert len(resolver_calls) == 2


async def test_a_replayed_statement_reads_the_clock_anew(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch, backends: str
) -> None:
    # given a dispatcher's remembered review queue (drafts due 4 hours from now), the
    # domain's clock held still
    moment = [datetime.now(UTC).replace(microsecond=0)]

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return moment[0]

    monkeypatch.setattr(clock, "datetime", Frozen)
    await pending_request(gql, account_name="Clocked", sla_hours=4)
    dispatcher = await staff(Role.DISPATCHER)
    calls = _counted(monkeypatch, service_queries, "paginate_sorted")
    first = await _warm(gql, QUEUE, dispatcher.token)
    # when the clock moves on half an hour (the token lives an hour)
    moment[0] += timedelta(minutes=30)
    calls.clear()
    later = await gql(QUEUE, token=dispatcher.token)
    # then the drafts are due four hours from the new time
    [before] = first["serviceRequests"]["nodes"]
    [after] = later["serviceRequests"]["nodes"]
    due = moment[0] + timedelta(hours=4)
    assert before["jobDraft"]["slaDueAt"] == (due - timedelta(minutes=30)).isoformat()
    assert after["jobDraft"]["slaDueAt"] == due.isoformat()
    assert len(calls) == (1 if backends == "services" else 2)


async def test_a_replayed_statement_that_fails_is_forgotten_and_answered_as_usual(
    gql: GraphQLClient,
    monkeypatch: pytest.MonkeyPatch,
    count_statements: StatementCounter,
    resolver_calls: list[str],
    backends: str,
) -> None:
    # given a remembered list whose statement will fail once
    await _world()
    admin, warmed = await _remembered_admin(gql)
    failures: list[str] = []
    original = page_statement.PageStatement.answer

    async def failing(self: Any) -> Any:
        if not failures:
            failures.append("failed")
            raise RuntimeError("the link broke")
        return await original(self)

    monkeypatch.setattr(page_statement.PageStatement, "answer", failing)
    # when it is read twice
    resolver_calls.clear()
    count_statements.statements.clear()
    again = await gql(LIST, {"first": 10}, token=admin.token)
    twice = await gql(LIST, {"first": 10}, token=admin.token)
    # then both answers are right: the first made by the resolver, the second by the
    # statement it remembered anew
    assert again == warmed == twice
    if backends == "services":
        assert failures == ["failed"]
        assert resolver_calls == ["list_requests"] * 3  # answer and check, then check
        assert len(lane_statements(count_statements)) == 2  # the resolver's, the replay's
    else:
        assert failures == []


class _Statement:
    """A statement whose every answer is `made`."""

    def __init__(self, made: Any = "answer") -> None:
        self.made = made

    async def answer(self) -> Any:
        return self.made


def _kept(recording: Recording, data: dict[str, Any], fields: dict[str, str]) -> bool:
    replays = Replays(["accountRequests"])
    return replays.keep("key", "document", "viewer", recording, data, fields, "Query")


def test_only_one_statement_of_a_replayable_root_with_no_clock_read_is_kept() -> None:
    fields = {"list": "accountRequests", "t": "__typename", "other": "serviceRequests"}

    def recording(**changes: Any) -> Recording:
        found = Recording(statements=1, offered=[(_Statement(), "answer")])
        for name, value in changes.items():
            setattr(found, name, value)
        return found

    assert _kept(recording(), {"t": "Query", "list": "answer"}, fields)
    # a statement of its own before (rows read in Python), or none
    assert not _kept(recording(statements=2), {"list": "answer"}, fields)
    assert not _kept(recording(statements=0), {"list": "answer"}, fields)
    # the clock read in Python
    assert not _kept(recording(impure=True), {"list": "answer"}, fields)
    # two statements offered, or none
    twice = (_Statement(), "answer")
    assert not _kept(recording(offered=[twice, twice]), {"list": "answer"}, fields)
    assert not _kept(recording(offered=[]), {"list": "answer"}, fields)
    # a root the app did not name, another root beside, or an answer not the statement's
    assert not _kept(recording(), {"other": "answer"}, fields)
    assert not _kept(recording(), {"list": "answer", "other": "x"}, fields)
    assert not _kept(recording(), {"list": "something else"}, fields)


async def test_a_kept_recording_is_found_only_for_its_document_and_viewer() -> None:
    replays = Replays(["accountRequests"])
    document, viewer = object(), object()
    made = object()
    recording = Recording(statements=1, offered=[(_Statement(made), made)])
    data = {"t": "Query", "list": made}
    fields = {"list": "accountRequests", "t": "__typename"}
    assert replays.keep("key", document, viewer, recording, data, fields, "Query")
    found = replays.find("key", document, viewer)
    assert found is not None
    # a kept recording holds no answer of the request that made it
    assert all(value is not made for value in vars(found).values())
    assert await found.data() == data
    assert replays.find("key", object(), viewer) is None
    assert replays.find("key", document, object()) is None
    replays.forget("key")
    assert replays.find("key", document, viewer) is None
