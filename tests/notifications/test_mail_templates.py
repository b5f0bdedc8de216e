"""Mail templates: escaping, fields and subjects."""

from __future__ import annotations

import html
import string

import pytest

from api.settings import Settings
from models.mail_templates import TEMPLATES, render
from models.permissions import Role
from tests.accounts.operations import set_manager
from tests.client import GraphQLClient
from tests.factories import make_account, staff
from tests.smtp import SmtpServer, mail_worker


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
