"""The outbox as admins see and retry it, and the workers draining it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from api.mailer import MailWorker
from api.settings import Settings
from models import outbox
from models.clock import now
from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated
from tests.factories import staff
from tests.ids import gid
from tests.notifications.rows import REFUSAL
from tests.notifications.rows import outbox_rows as _rows
from tests.notifications.rows import queue_mail as _queue
from tests.smtp import SmtpServer, mail_worker, worker_settings

OUTBOX = """
query Outbox($status: OutboxStatus) {
  outboxEmails(status: $status) {
    totalCount
    nodes { id toAddress subject template messageId status attempts lastError sentAt }
  }
}
"""


RETRY = """
mutation Retry($input: RetryOutboxEmailInput!) {
  retryOutboxEmail(input: $input) {
    outboxEmail { id status attempts }
    userErrors { code field message }
  }
}
"""


async def test_an_admin_finds_a_failed_mail_and_sends_it_again(
    gql: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    # given: a mail the server refused
    admin = await staff(Role.ADMIN)
    smtp.handler.refused["ghost@example.com"] = REFUSAL
    [queued] = await _queue(1, to="ghost@example.com")
    await _queue(1, to="fine@example.com")
    worker = mail_worker(settings, smtp)
    await worker.run_once()
    smtp.handler.refused.clear()

    # when
    listed = await gql(OUTBOX, {"status": "FAILED"}, token=admin.token)

    # then
    failed = listed["outboxEmails"]
    assert failed["totalCount"] == 1
    [node] = failed["nodes"]
    assert node["id"] == gid("OutboxEmail", queued.id)
    assert (node["toAddress"], node["status"], node["attempts"]) == (
        "ghost@example.com",
        "FAILED",
        1,
    )
    assert node["messageId"] == queued.message_id
    assert node["template"] == "account_assigned"
    assert "no such user" in node["lastError"]
    assert node["sentAt"] is None

    # when
    data = await gql(RETRY, {"input": {"id": node["id"]}}, token=admin.token)

    # then
    payload = data["retryOutboxEmail"]
    assert payload["userErrors"] == []
    assert payload["outboxEmail"] == {"id": node["id"], "status": "PENDING", "attempts": 0}

    # when
    handled = await worker.run_once()

    # then
    assert handled == 1
    assert smtp.message_ids()[-1] == queued.message_id
    assert len(smtp.messages) == 2
    sent = await outbox.OutboxEmail.get(id=queued.id)
    assert (sent.status, sent.attempts) == (outbox.OutboxStatus.SENT, 1)
    assert sent.sent_at is not None
    listed = await gql(OUTBOX, {"status": "FAILED"}, token=admin.token)
    assert listed["outboxEmails"]["totalCount"] == 0


async def test_only_a_failed_mail_can_be_retried(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    [pending] = await _queue(1)

    # when
    data = await gql(RETRY, {"input": {"id": gid("OutboxEmail", pending.id)}}, admin.token)

    # then
    payload = data["retryOutboxEmail"]
    assert payload["outboxEmail"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID", ["input", "id"])
    ]
    row = await outbox.OutboxEmail.get(id=pending.id)
    assert (row.status, row.attempts) == (outbox.OutboxStatus.PENDING, 0)


@pytest.mark.parametrize("global_id", [gid("OutboxEmail", 999_999), gid("User", 1)])
async def test_retrying_an_unknown_mail_is_not_found(gql: GraphQLClient, global_id: str) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    data = await gql(RETRY, {"input": {"id": global_id}}, token=admin.token)

    # then
    errors = data["retryOutboxEmail"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [("NOT_FOUND", ["input", "id"])]


async def test_anonymous_may_not_see_or_retry_the_outbox(gql: GraphQLClient) -> None:
    # given
    [row] = await _queue(1)

    # when
    listed = await gql.raw(OUTBOX)
    retried = await gql.raw(RETRY, {"input": {"id": gid("OutboxEmail", row.id)}})

    # then
    assert_unauthenticated(listed)
    assert_unauthenticated(retried)


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.ACCOUNT_MANAGER, Role.ACCOUNTING])
async def test_staff_other_than_admins_may_not_see_or_retry_the_outbox(
    gql: GraphQLClient, role: Role
) -> None:
    # given
    viewer = await staff(role)
    [row] = await _queue(1)
    await outbox.OutboxEmail.filter(id=row.id).update(status=outbox.OutboxStatus.FAILED)

    # when
    listed = await gql.raw(OUTBOX, token=viewer.token)
    retried = await gql.raw(
        RETRY, {"input": {"id": gid("OutboxEmail", row.id)}}, token=viewer.token
    )

    # then
    assert_forbidden(listed)
    assert_forbidden(retried)
    unchanged = await outbox.OutboxEmail.get(id=row.id)
    assert unchanged.status is outbox.OutboxStatus.FAILED


async def test_two_workers_racing_send_each_mail_exactly_once(
    settings: Settings, smtp: SmtpServer
) -> None:
    # given
    queued = await _queue(45)
    first, second = mail_worker(settings, smtp), mail_worker(settings, smtp)

    # when
    handled = await asyncio.gather(first.run_once(), second.run_once())

    # then
    assert sum(handled) == 45
    received = smtp.message_ids()
    assert len(received) == 45
    assert sorted(received) == sorted(row.message_id for row in queued)
    for row in await _rows():
        assert (row.status, row.attempts) == (outbox.OutboxStatus.SENT, 1)


async def test_concurrent_claims_never_share_a_row() -> None:
    # given
    await _queue(60)

    # when: more claimers than rows per claim, all at once
    batches = await asyncio.gather(*(outbox.claim_batch(limit=6) for _ in range(10)))

    # then
    claimed = [row.id for batch in batches for row in batch]
    assert len(claimed) == len(set(claimed))
    assert {row.status for row in await outbox.OutboxEmail.filter(id__in=claimed)} == {
        outbox.OutboxStatus.SENDING
    }


async def test_mail_claimed_by_a_crashed_worker_is_sent_once_its_lease_expires(
    settings: Settings, smtp: SmtpServer
) -> None:
    # given: a worker claimed two rows and died before sending them
    queued = await _queue(2)
    claimed = await outbox.claim_batch()
    assert [row.id for row in claimed] == [row.id for row in queued]
    worker = mail_worker(settings, smtp)
    assert await worker.run_once() == 0
    assert {row.status for row in await _rows()} == {outbox.OutboxStatus.SENDING}

    # when: its lease runs out
    await outbox.OutboxEmail.all().update(lease_until=now() - timedelta(seconds=1))
    handled = await worker.run_once()

    # then
    assert handled == 2
    assert sorted(smtp.message_ids()) == sorted(row.message_id for row in queued)
    for row in await _rows():
        assert (row.status, row.lease_until) == (outbox.OutboxStatus.SENT, None)


async def test_without_smtp_url_mail_stays_in_the_outbox(settings: Settings) -> None:
    # given
    await _queue(2)
    worker = MailWorker(settings.model_copy(update={"smtp_url": ""}))

    # when
    handled = await worker.run_once()
    await asyncio.wait_for(worker.run_forever(asyncio.Event()), timeout=5)

    # then: run_forever returned at once, and nothing was tried or dropped
    assert handled == 0
    for row in await _rows():
        assert (row.status, row.attempts, row.last_error) == (
            outbox.OutboxStatus.PENDING,
            0,
            None,
        )


async def test_run_forever_delivers_until_stopped(settings: Settings, smtp: SmtpServer) -> None:
    # given
    stop = asyncio.Event()
    worker = MailWorker(
        worker_settings(settings, smtp.url).model_copy(update={"mail_poll_seconds": 0.05})
    )
    running = asyncio.create_task(worker.run_forever(stop))

    # when
    [queued] = await _queue(1)
    for _ in range(200):
        if smtp.messages:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(running, timeout=5)

    # then
    assert smtp.message_ids() == [queued.message_id]


async def test_a_stopping_worker_claims_no_further_batch(
    settings: Settings, smtp: SmtpServer
) -> None:
    # given
    await _queue(2)
    stop = asyncio.Event()
    stop.set()

    # when
    handled = await mail_worker(settings, smtp).run_once(stop)

    # then
    assert handled == 0
    assert {row.status for row in await _rows()} == {outbox.OutboxStatus.PENDING}
    assert smtp.messages == []
