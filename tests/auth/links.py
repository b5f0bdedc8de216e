"""Invitations and password resets as a client sends them, and the links their mails carry."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from models.access import links
from models.outbox import OutboxEmail
from tests.client import GraphQLClient

REQUEST_RESET = """
mutation Reset($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) { ok userErrors { code field message } }
}
"""
INVITE_USER = """
mutation Invite($input: InviteUserInput!) {
  inviteUser(input: $input) { user { id name } userErrors { code field message } }
}
"""
INVITE_CONTACT = """
mutation Invite($input: InviteContactInput!) {
  inviteContact(input: $input) { contact { id name } userErrors { code field message } }
}
"""
SET_PASSWORD = """
mutation SetPassword($input: SetPasswordWithTokenInput!) {
  setPasswordWithToken(input: $input) { ok email userErrors { code field message } }
}
"""
NEW_PASSWORD = "a brand new secret phrase"
_LINK = re.compile(r"(\S+)/set-password#token=([A-Za-z0-9_-]+)")


def token_in(text: str, app_url: str) -> str:
    """The token of the one link in a mail's text, which must point at the web app."""
    [(base, token)] = _LINK.findall(text)
    assert base == app_url
    return str(token)


async def mails_to(address: str) -> list[OutboxEmail]:
    return list(await OutboxEmail.filter(to_address=address).order_by("id"))


async def last_token(address: str, app_url: str) -> str:
    """The token of the newest mail to `address`."""
    mails = await mails_to(address)
    assert mails, f"no mail to {address}"
    return token_in(mails[-1].text_body, app_url)


async def request_reset(gql: GraphQLClient, email: str) -> dict[str, Any]:
    data = await gql(REQUEST_RESET, {"input": {"email": email}})
    payload: dict[str, Any] = data["requestPasswordReset"]
    return payload


async def set_password(
    gql: GraphQLClient, token: str, password: str = NEW_PASSWORD
) -> dict[str, Any]:
    data = await gql(SET_PASSWORD, {"input": {"token": token, "password": password}})
    payload: dict[str, Any] = data["setPasswordWithToken"]
    return payload


def move_clock(monkeypatch: pytest.MonkeyPatch, by: timedelta) -> None:
    """Links judge their age by this clock from now on."""
    moved: datetime = links.now() + by
    monkeypatch.setattr(links, "now", lambda: moved)
