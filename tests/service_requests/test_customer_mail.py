"""The customer's e-mails about its request, delivered by the mail worker over real SMTP."""

from __future__ import annotations

import html
from email.message import EmailMessage

from api.settings import Settings
from models import outbox
from models import service_requests as sr
from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import staff
from tests.service_requests.operations import approve, decline
from tests.service_requests.people import pending_request
from tests.smtp import SmtpServer, mail_worker

REASON = (
    "We cannot send anyone before the 3rd.\n"
    "\n"
    'Ask for "Pat" <pat@acme.example> & mention R&D; 5 < 6 > 4.\n'
    "  Indented line, tab\there, accents: é ü ß, emoji: 🚚\n"
    "Braces stay: {reason} {0}"
)


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    body = message.get_body(preferencelist=("html",))
    assert text is not None
    assert body is not None
    return text.get_content(), body.get_content()


async def test_the_decline_mail_carries_the_reason_verbatim(
    gql: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    # given
    dispatcher = await staff(Role.DISPATCHER)
    request = await pending_request(gql, site_name="Warehouse", serviceType="INSTALLATION")
    payload = await decline(gql, dispatcher.token, request.id, REASON)
    assert payload["userErrors"] == []

    # when
    handled = await mail_worker(settings, smtp).run_once()

    # then
    assert handled == 1
    [envelope] = smtp.handler.envelopes
    assert envelope.rcpt_tos == [request.email]
    [message] = smtp.messages
    assert message["To"] == request.email
    assert message["Subject"] == f"Your service request #{request.number} was declined"
    text, body = _parts(message)
    assert REASON in text.replace("\r\n", "\n")
    assert f"installation request #{request.number} for Warehouse" in text
    assert html.escape(REASON) in body.replace("\r\n", "\n")
    assert "<pat@acme.example>" not in body
    assert "R&D;" not in body
    [row] = await outbox.OutboxEmail.all()
    assert (row.status, row.template) == (outbox.OutboxStatus.SENT, "service_request_declined")


async def test_the_approval_mail_names_the_job(
    gql: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    # given
    admin = await staff(Role.ADMIN)
    request = await pending_request(gql, site_name="Bakery <North>", serviceType="REPAIR")
    payload = await approve(gql, admin.token, request.id, {"priority": "HIGH"})
    assert payload["userErrors"] == []
    job = await sr.Job.get(service_request_id=request.number)

    # when
    handled = await mail_worker(settings, smtp).run_once()

    # then
    assert handled == 1
    [envelope] = smtp.handler.envelopes
    assert envelope.rcpt_tos == [request.email]
    [message] = smtp.messages
    assert message["To"] == request.email
    assert message["Subject"] == f"Your service request #{request.number} is approved"
    text, body = _parts(message)
    assert f"We created job #{job.id}" in text
    assert f"repair request #{request.number} for Bakery <North> is approved" in text
    assert f"job #{job.id}" in body
    assert "<strong>Bakery &lt;North&gt;</strong>" in body
    [row] = await outbox.OutboxEmail.all()
    assert (row.status, row.template) == (outbox.OutboxStatus.SENT, "service_request_approved")


async def test_only_the_submitting_contact_is_mailed(
    gql: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    # given two requests of two customers, one approved and one declined
    dispatcher = await staff(Role.DISPATCHER)
    approved = await pending_request(gql)
    declined = await pending_request(gql)
    assert (await approve(gql, dispatcher.token, approved.id))["userErrors"] == []
    assert (await decline(gql, dispatcher.token, declined.id, "No."))["userErrors"] == []

    # when
    handled = await mail_worker(settings, smtp).run_once()

    # then
    assert handled == 2
    sent = {str(message["To"]): str(message["Subject"]) for message in smtp.messages}
    assert sent == {
        approved.email: f"Your service request #{approved.number} is approved",
        declined.email: f"Your service request #{declined.number} was declined",
    }
    assert sorted(rcpt for envelope in smtp.handler.envelopes for rcpt in envelope.rcpt_tos) == (
        sorted([approved.email, declined.email])
    )
