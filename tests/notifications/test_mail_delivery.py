"""Delivering outbox mail over a real SMTP server (aiosmtpd): passes, retries and failures."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from api.mailer import MailWorker
from api.settings import Settings
from models import outbox
from models.clock import now
from models.permissions import Role
from tests.accounts.operations import set_manager
from tests.client import GraphQLClient
from tests.factories import make_account, staff
from tests.notifications.rows import REFUSAL
from tests.notifications.rows import outbox_rows as _rows
from tests.notifications.rows import queue_mail as _queue
from tests.notifications.rows import wait_out_backoff as _wait_out_backoff
from tests.smtp import RETRY_BASE_SECONDS, SmtpServer, mail_worker


async def test_assigning_a_manager_delivers_their_mail_over_smtp(
    gql: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    # given
    admin = await staff(Role.ADMIN, name="Ada Admin")
    maya = await staff(Role.ACCOUNT_MANAGER, name="Maya Manager", email="maya@example.com")
    account = await make_account("Northwind")
    await set_manager(gql, admin, account.id, maya)
    [queued] = await _rows()
    assert (queued.status, queued.to_address) == (outbox.OutboxStatus.PENDING, "maya@example.com")
    assert smtp.messages == []

    # when
    handled = await mail_worker(settings, smtp).run_once()

    # then
    assert handled == 1
    [envelope] = smtp.handler.envelopes
    assert envelope.rcpt_tos == ["maya@example.com"]
    [message] = smtp.messages
    assert message["To"] == "maya@example.com"
    assert message["Subject"] == "You now manage Northwind"
    assert message["Message-ID"] == queued.message_id
    assert message["Date"].datetime.utcoffset() == timedelta(0)
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    assert "Ada Admin made you the account manager of Northwind" in text.get_content()
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    assert "<strong>Northwind</strong>" in html_part.get_content()
    [sent] = await _rows()
    assert sent.status is outbox.OutboxStatus.SENT
    assert sent.sent_at is not None
    assert sent.attempts == 1
    assert sent.last_error is None
    assert sent.lease_until is None


async def test_reassigning_mails_the_new_and_the_previous_manager(
    gql: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    # given
    admin = await staff(Role.ADMIN, name="Ada Admin")
    maya = await staff(Role.ACCOUNT_MANAGER, name="Maya Manager", email="maya@example.com")
    omar = await staff(Role.ACCOUNT_MANAGER, name="Omar Other", email="omar@example.com")
    account = await make_account("Northwind")
    await set_manager(gql, admin, account.id, maya)
    await mail_worker(settings, smtp).run_once()

    # when
    await set_manager(gql, admin, account.id, omar)
    handled = await mail_worker(settings, smtp).run_once()

    # then
    assert handled == 2
    received = {str(m["To"]): str(m["Subject"]) for m in smtp.messages[1:]}
    assert received == {
        "omar@example.com": "You now manage Northwind",
        "maya@example.com": "Northwind has a new account manager",
    }
    assert {row.status for row in await _rows()} == {outbox.OutboxStatus.SENT}


async def test_a_second_pass_sends_nothing_again(settings: Settings, smtp: SmtpServer) -> None:
    # given
    await _queue(3)
    worker = mail_worker(settings, smtp)
    assert await worker.run_once() == 3

    # when
    handled = await worker.run_once()

    # then
    assert handled == 0
    assert len(smtp.messages) == 3


async def test_server_down_keeps_mail_pending_then_delivers_each_once(
    settings: Settings, smtp_down: SmtpServer
) -> None:
    # given: nothing listens on the port yet
    queued = await _queue(3)
    worker = mail_worker(settings, smtp_down)
    before = now()

    # when
    handled = await worker.run_once()

    # then: each row was tried once and waits for its next attempt
    assert handled == 3
    rows = await _rows()
    for row in rows:
        assert row.status is outbox.OutboxStatus.PENDING
        assert row.attempts == 1
        assert row.last_error
        assert row.lease_until is None
        assert row.next_attempt_at > before

    # when: the server comes up and the backoff has passed
    smtp_down.start()
    await _wait_out_backoff(rows)
    handled = await worker.run_once()

    # then
    assert handled == 3
    assert sorted(smtp_down.message_ids()) == sorted(row.message_id for row in queued)
    for row in await _rows():
        assert (row.status, row.attempts, row.last_error) == (outbox.OutboxStatus.SENT, 2, None)
    assert await worker.run_once() == 0
    assert len(smtp_down.messages) == 3


async def test_a_pass_does_not_retry_what_failed_in_the_same_pass(
    settings: Settings, smtp_down: SmtpServer
) -> None:
    # given: a backoff so short that rows are due again while the pass still runs
    await _queue(25)
    worker = MailWorker(
        settings.model_copy(update={"smtp_url": smtp_down.url, "mail_retry_base_seconds": 0.000001})
    )

    # when
    handled = await worker.run_once()

    # then
    assert handled == 25
    assert {row.attempts for row in await _rows()} == {1}


async def test_mail_is_retried_later_and_later(settings: Settings, smtp_down: SmtpServer) -> None:
    # given
    await _queue(1)
    worker = mail_worker(settings, smtp_down)
    delays = []

    # when
    for _ in range(3):
        started = now()
        await worker.run_once()
        [row] = await _rows()
        delays.append((row.next_attempt_at - started).total_seconds())
        await _wait_out_backoff([row])

    # then: roughly base, 2x base, 4x base
    assert delays[0] >= RETRY_BASE_SECONDS
    assert delays[1] >= 2 * RETRY_BASE_SECONDS
    assert delays[2] >= 4 * RETRY_BASE_SECONDS
    assert row.attempts == 3


def test_backoff_doubles_and_is_capped_at_an_hour() -> None:
    assert [outbox.backoff(n, 30).total_seconds() for n in range(1, 6)] == [
        30,
        60,
        120,
        240,
        480,
    ]
    assert outbox.backoff(0, 30) == timedelta(seconds=30)
    assert outbox.backoff(outbox.MAX_TEMPORARY_ATTEMPTS, 30) == timedelta(hours=1)
    assert outbox.backoff(10_000, 30) == timedelta(hours=1)


async def test_mail_fails_after_the_last_temporary_attempt(
    settings: Settings, smtp_down: SmtpServer
) -> None:
    # given: a row one attempt short of giving up
    [queued] = await _queue(1)
    await outbox.OutboxEmail.filter(id=queued.id).update(attempts=outbox.MAX_TEMPORARY_ATTEMPTS - 1)

    # when
    await mail_worker(settings, smtp_down).run_once()

    # then
    [row] = await _rows()
    assert row.status is outbox.OutboxStatus.FAILED
    assert row.attempts == outbox.MAX_TEMPORARY_ATTEMPTS
    assert row.last_error is not None
    assert row.last_error.startswith(f"gave up after {outbox.MAX_TEMPORARY_ATTEMPTS} attempts")


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
async def test_a_5xx_answer_fails_the_mail_at_once(
    settings: Settings, smtp: SmtpServer, stage: str
) -> None:
    # given
    if stage == "RCPT":
        smtp.handler.rcpt_answer = REFUSAL
    else:
        smtp.handler.data_answer = REFUSAL
    await _queue(1, to="ghost@example.com")
    worker = mail_worker(settings, smtp)

    # when
    handled = await worker.run_once()

    # then
    assert handled == 1
    [row] = await _rows()
    assert row.status is outbox.OutboxStatus.FAILED
    assert row.attempts == 1
    assert row.last_error is not None
    assert "550" in row.last_error
    assert "5.1.1 no such user" in row.last_error
    await asyncio.sleep(RETRY_BASE_SECONDS * 2)
    assert await worker.run_once() == 0
    [row] = await _rows()
    assert (row.status, row.attempts) == (outbox.OutboxStatus.FAILED, 1)
    assert smtp.messages == []


async def test_a_refused_mail_does_not_hold_up_the_others(
    settings: Settings, smtp: SmtpServer
) -> None:
    # given: the server knows only some recipients
    refuse = "ghost@example.com"
    smtp.handler.refused[refuse] = REFUSAL
    await _queue(2, to="a@example.com")
    await _queue(1, to=refuse)
    await _queue(2, to="b@example.com")

    # when
    await mail_worker(settings, smtp).run_once()

    # then
    statuses = {row.to_address: row.status for row in await _rows()}
    assert statuses == {
        "a@example.com": outbox.OutboxStatus.SENT,
        refuse: outbox.OutboxStatus.FAILED,
        "b@example.com": outbox.OutboxStatus.SENT,
    }
    assert sorted(str(m["To"]) for m in smtp.messages) == [
        "a@example.com",
        "a@example.com",
        "b@example.com",
        "b@example.com",
    ]


async def test_a_mail_that_cannot_be_built_fails_at_once_and_the_rest_go_out(
    settings: Settings, smtp: SmtpServer
) -> None:
    # given: a row written around render(), with a line break in its subject
    broken, fine = await _queue(2)
    await outbox.OutboxEmail.filter(id=broken.id).update(subject="Hi\nBcc: victim@example.com")

    # when
    handled = await mail_worker(settings, smtp).run_once()

    # then
    assert handled == 2
    failed = await outbox.OutboxEmail.get(id=broken.id)
    assert (failed.status, failed.attempts) == (outbox.OutboxStatus.FAILED, 1)
    assert failed.last_error is not None
    assert failed.last_error.startswith("ValueError")
    assert smtp.message_ids() == [fine.message_id]
    assert smtp.handler.envelopes[0].rcpt_tos == ["someone@example.com"]
