"""The mail outbox and its delivery worker, against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import html
import string
from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from api.mailer import MailWorker
from api.settings import Settings
from models import outbox
from models.clock import now
from models.mail_templates import TEMPLATES, render
from models.permissions import Role
from tests.accounts.operations import set_manager
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated
from tests.factories import make_account, staff
from tests.ids import gid
from tests.smtp import RETRY_BASE_SECONDS, SmtpServer, mail_worker, worker_settings

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

REFUSAL = "550 5.1.1 no such user"


async def _queue(count: int, to: str = "someone@example.com") -> list[outbox.OutboxEmail]:
    async with in_transaction():
        return [
            await outbox.queue_email(
                to=to,
                template="account_assigned",
                context={
                    "name": f"Person {n}",
                    "account_name": f"Account {n}",
                    "account_number": f"A-{n:03d}",
                    "assigned_by": "Ada Admin",
                    "new_manager": "no one",
                },
            )
            for n in range(count)
        ]


async def _rows() -> list[outbox.OutboxEmail]:
    return await outbox.OutboxEmail.all().order_by("id")


async def _wait_out_backoff(rows: list[outbox.OutboxEmail]) -> None:
    latest = max(row.next_attempt_at for row in rows)
    await asyncio.sleep(max((latest - now()).total_seconds(), 0) + 0.02)


# --- delivery ---------------------------------------------------------------------


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


# --- temporary failures -------------------------------------------------------------


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


# --- permanent failures and retry by an admin ---------------------------------------


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


# --- several workers ----------------------------------------------------------------


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


# --- no SMTP server configured ------------------------------------------------------


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


# --- templates ----------------------------------------------------------------------


def _fields(template: str) -> set[str]:
    chosen = TEMPLATES[template]
    return {
        name
        for part in (chosen.subject, chosen.text, chosen.html)
        for _, name, _, _ in string.Formatter().parse(part)
        if name
    }


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_escapes_values_in_html_only(template: str) -> None:
    # given
    context = {name: f"<b>{name} & Co</b>" for name in _fields(template)}

    # when
    subject, text, body = render(template, context)

    # then
    for name, value in context.items():
        assert value in text or value in subject, name
        assert html.escape(value) in body, name
        assert value not in body, name
    assert "\n" not in subject
    assert body.startswith("<!doctype html>")


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_template_values_are_never_read_as_fields(template: str) -> None:
    # given
    context = {name: "{name} {0} }{" for name in _fields(template)}

    # when
    subject, text, body = render(template, context)

    # then
    assert "{name} {0} }{" in text
    assert "{name} {0} }{" in body
    assert "{" not in TEMPLATES[template].subject or "{name} {0} }{" in subject


def test_a_subject_stays_on_one_line() -> None:
    # given
    context = {name: "Acme\r\nBcc: victim@example.com" for name in _fields("account_assigned")}

    # when
    subject, _, _ = render("account_assigned", context)

    # then
    assert "\r" not in subject
    assert "\n" not in subject
    assert subject == "You now manage Acme Bcc: victim@example.com"


async def test_an_account_name_with_markup_arrives_escaped_in_html_and_plain_in_text(
    gql: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    # given
    admin = await staff(Role.ADMIN, name="Ada Admin")
    maya = await staff(Role.ACCOUNT_MANAGER, name="Maya Manager")
    account = await make_account("<b>Acme & Co</b>")

    # when
    await set_manager(gql, admin, account.id, maya)
    await mail_worker(settings, smtp).run_once()

    # then
    [message] = smtp.messages
    assert message["Subject"] == "You now manage <b>Acme & Co</b>"
    text = message.get_body(preferencelist=("plain",))
    body = message.get_body(preferencelist=("html",))
    assert text is not None
    assert body is not None
    assert "<b>Acme & Co</b>" in text.get_content()
    assert "<strong>&lt;b&gt;Acme &amp; Co&lt;/b&gt;</strong>" in body.get_content()
    assert "<b>Acme" not in body.get_content()
