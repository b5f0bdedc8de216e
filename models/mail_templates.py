"""Every e-mail Docket sends, in one place: a subject, a text body and an HTML body.

Templates use `{name}`-style fields; values are HTML-escaped for the HTML body.
To change a mail, change its entry here.
"""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    subject: str
    text: str
    html: str


_LAYOUT = """<!doctype html>
<html><body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif;
 color: #1f2933; max-width: 560px; margin: 0 auto; padding: 24px;">
{content}
<p style="color: #7b8794; font-size: 12px; margin-top: 32px;">
Sent by Docket. You receive this because of your role in your company's Docket.</p>
</body></html>"""

TEMPLATES: dict[str, Template] = {
    "account_assigned": Template(
        subject="You now manage {account_name}",
        text=(
            "Hello {name},\n\n"
            "{assigned_by} made you the account manager of {account_name} "
            "(account {account_number}).\n\n"
            "You will be told about its requests from now on.\n\n"
            "-- Docket"
        ),
        html=(
            "<p>Hello {name},</p>"
            "<p>{assigned_by} made you the account manager of <strong>{account_name}</strong> "
            "(account {account_number}).</p>"
            "<p>You will be told about its requests from now on.</p>"
        ),
    ),
    "account_unassigned": Template(
        subject="{account_name} has a new account manager",
        text=(
            "Hello {name},\n\n"
            "{assigned_by} gave {account_name} (account {account_number}) to "
            "{new_manager}. You no longer manage it.\n\n"
            "-- Docket"
        ),
        html=(
            "<p>Hello {name},</p>"
            "<p>{assigned_by} gave <strong>{account_name}</strong> (account {account_number}) "
            "to {new_manager}. You no longer manage it.</p>"
        ),
    ),
    "credit_requested": Template(
        subject="Credit request for {account_name}: {limit}",
        text=(
            "Hello {name},\n\n"
            "{requested_by} asks for a credit limit of {limit} for {account_name}.\n\n"
            "Note: {note}\n\nPlease accept or reject it in Docket.\n\n-- Docket"
        ),
        html=(
            "<p>Hello {name},</p>"
            "<p>{requested_by} asks for a credit limit of <strong>{limit}</strong> for "
            "<strong>{account_name}</strong>.</p>"
            '<blockquote style="white-space: pre-wrap;">{note}</blockquote>'
            "<p>Please accept or reject it in Docket.</p>"
        ),
    ),
    "credit_accepted": Template(
        subject="Credit for {account_name} accepted: {limit}",
        text=(
            "Hello {name},\n\n"
            "Your credit request for {account_name} was accepted. Its credit limit is "
            "now {limit}.\n\n{reason}\n\n-- Docket"
        ),
        html=(
            "<p>Hello {name},</p>"
            "<p>Your credit request for <strong>{account_name}</strong> was accepted. "
            "Its credit limit is now <strong>{limit}</strong>.</p>"
            '<blockquote style="white-space: pre-wrap;">{reason}</blockquote>'
        ),
    ),
    "credit_rejected": Template(
        subject="Credit for {account_name} rejected",
        text=(
            "Hello {name},\n\n"
            "Your credit request of {limit} for {account_name} was rejected, for this "
            "reason:\n\n{reason}\n\n-- Docket"
        ),
        html=(
            "<p>Hello {name},</p>"
            "<p>Your credit request of {limit} for <strong>{account_name}</strong> was "
            "rejected, for this reason:</p>"
            '<blockquote style="white-space: pre-wrap;">{reason}</blockquote>'
        ),
    ),
    "credit_request_assigned": Template(
        subject="Credit request for {account_name} is yours to decide",
        text=(
            "Hello {name},\n\n"
            "{assigned_by} gave you the credit request of {limit} for {account_name}.\n\n"
            "Note: {note}\n\nPlease accept or reject it in Docket.\n\n-- Docket"
        ),
        html=(
            "<p>Hello {name},</p>"
            "<p>{assigned_by} gave you the credit request of <strong>{limit}</strong> for "
            "<strong>{account_name}</strong>.</p>"
            '<blockquote style="white-space: pre-wrap;">{note}</blockquote>'
            "<p>Please accept or reject it in Docket.</p>"
        ),
    ),
    "service_request_approved": Template(
        subject="Your service request #{request_number} is approved",
        text=(
            "Hello {name},\n\n"
            "Good news: your {service_type} request #{request_number} for {site_name} is "
            "approved. We created job #{job_number}. {visit}\n\n"
            "-- Docket"
        ),
        html=(
            "<p>Hello {name},</p>"
            "<p>Good news: your {service_type} request #{request_number} for "
            "<strong>{site_name}</strong> is approved. We created job #{job_number}. "
            "{visit}</p>"
        ),
    ),
    "service_request_declined": Template(
        subject="Your service request #{request_number} was declined",
        text=(
            "Hello {name},\n\n"
            "We are sorry: your {service_type} request #{request_number} for {site_name} "
            "was declined, for this reason:\n\n{reason}\n\n"
            "Reply to this e-mail or call us if you have questions.\n\n"
            "-- Docket"
        ),
        html=(
            "<p>Hello {name},</p>"
            "<p>We are sorry: your {service_type} request #{request_number} for "
            "<strong>{site_name}</strong> was declined, for this reason:</p>"
            '<blockquote style="white-space: pre-wrap;">{reason}</blockquote>'
            "<p>Reply to this e-mail or call us if you have questions.</p>"
        ),
    ),
    # Any notification without a mail of its own, for people who want it by e-mail.
    "notification": Template(
        subject="{title}",
        text=(
            "Hello {name},\n\n{title}\n\n{body}\n\n"
            "You find it in Docket under Notifications.\n\n-- Docket"
        ),
        html=(
            "<p>Hello {name},</p>"
            "<p><strong>{title}</strong></p>"
            '<p style="white-space: pre-wrap;">{body}</p>'
            "<p>You find it in Docket under Notifications.</p>"
        ),
    ),
    "invitation": Template(
        subject="You are invited to Docket",
        text=(
            "Hello {name},\n\n"
            "{invited_by} invited you to Docket. Choose your password here to get in:\n\n"
            "{link}\n\n"
            "The link works once, within {valid_for}. You then sign in with {email}.\n\n"
            "-- Docket"
        ),
        html=(
            "<p>Hello {name},</p>"
            "<p>{invited_by} invited you to Docket. Choose your password to get in:</p>"
            '<p><a href="{link}">Choose my password</a></p>'
            "<p>The link works once, within {valid_for}. You then sign in with {email}.</p>"
        ),
    ),
    "password_reset": Template(
        subject="Choose a new Docket password",
        text=(
            "Hello {name},\n\n"
            "Someone (we hope you) asked to reset the Docket password of {email}. "
            "Choose a new one here:\n\n"
            "{link}\n\n"
            "The link works once, within {valid_for}. If you did not ask, ignore this "
            "e-mail: your password stays as it is.\n\n"
            "-- Docket"
        ),
        html=(
            "<p>Hello {name},</p>"
            "<p>Someone (we hope you) asked to reset the Docket password of {email}.</p>"
            '<p><a href="{link}">Choose a new password</a></p>'
            "<p>The link works once, within {valid_for}. If you did not ask, ignore this "
            "e-mail: your password stays as it is.</p>"
        ),
    ),
}


def render(template: str, context: dict[str, str]) -> tuple[str, str, str]:
    """(subject, text, html) of `template` filled with `context`."""
    chosen = TEMPLATES[template]
    escaped = {key: html.escape(value) for key, value in context.items()}
    # A header is one line: a line break in a value would end it, or inject another header.
    subject = " ".join(chosen.subject.format(**context).split())
    text = chosen.text.format(**context)
    body = _LAYOUT.format(content=chosen.html.format(**escaped))
    return subject, text, body
