"""Sign-in: `login`, `logout` and `me` (a staff user or a portal contact)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import strawberry
from starlette.requests import Request

from api.context import Context, Info
from api.permissions import IsAuthenticated
from models import auth
from models.viewer import ANONYMOUS, Viewer
from schema.accounts.types import Account, Contact
from schema.errors import UserError, run_in_transaction
from schema.relay.ids import encode_id
from schema.users import User


@strawberry.type(description="A customer contact signed in to the portal.")
class PortalContact:
    id: strawberry.ID = strawberry.field(description="The global ID of the contact.")
    name: str = strawberry.field(description="Full name.")
    email: str = strawberry.field(description="The e-mail the contact signs in with.")
    account_id: strawberry.Private[int]
    contact_id: strawberry.Private[int]

    @strawberry.field(description="The contact's own account.")
    async def account(self, info: Info) -> Account | None:
        row = await info.context.loaders.accounts_by_id.load(self.account_id)
        return Account.from_row(row) if row else None

    @strawberry.field(description="The full contact record.")
    async def contact(self, info: Info) -> Contact | None:
        row = await info.context.loaders.contacts_by_id.load(self.contact_id)
        return Contact.from_row(row) if row else None


Me = Annotated[User | PortalContact, strawberry.union("Me", description="Whoever is signed in.")]


def viewer_object(viewer: Viewer) -> User | PortalContact | None:
    if viewer.user is not None:
        return User.from_row(viewer.user)
    if viewer.contact is not None:
        contact = viewer.contact
        return PortalContact(
            id=strawberry.ID(encode_id("Contact", contact.id)),
            name=contact.name,
            email=contact.portal_email or contact.email or "",
            account_id=contact.account_id,
            contact_id=contact.id,
        )
    return None


def _act_as(context: Context, viewer: Viewer) -> None:
    """Let the rest of this HTTP request act as `viewer`.

    The login payload's nested fields (a contact's account, a user's teams) are
    scoped by the context's viewer, which is still anonymous when login runs;
    after logout, later fields of the same request must not use the dead token.
    A socket keeps the identity it authenticated with.
    """
    if isinstance(context.request, Request):
        context.viewer = viewer


@strawberry.input(description="Credentials of a staff user or a portal contact.")
class LoginInput:
    email: str = strawberry.field(description="E-mail (staff may also use their login name).")
    password: str = strawberry.field(description="Password.")


@strawberry.type(description="Result of login: a bearer token for the Authorization header.")
class LoginPayload:
    token: str | None = strawberry.field(
        description="Send as `Authorization: Bearer <token>`, or in connection_init on sockets."
    )
    expires_at: datetime | None = strawberry.field(description="When the token stops working.")
    viewer: Me | None = strawberry.field(description="Who signed in.")
    user_errors: list[UserError] = strawberry.field(description="Why sign-in was refused.")


@strawberry.type(description="Result of logout.")
class LogoutPayload:
    ok: bool = strawberry.field(description="True once the token is revoked.")
    user_errors: list[UserError] = strawberry.field(description="Always empty.")


@strawberry.type
class AuthQueries:
    @strawberry.field(description="The signed-in viewer.", permission_classes=[IsAuthenticated])
    def me(self, info: Info) -> Me:
        me = viewer_object(info.context.viewer)
        assert me is not None  # IsAuthenticated let only a signed-in viewer through
        return me


@strawberry.type
class AuthMutations:
    @strawberry.mutation(
        description="Sign in. After 5 failures for one e-mail within 15 minutes, sign-in "
        "for that e-mail is refused for 15 minutes."
    )
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        settings = info.context.settings
        _, throttled = await run_in_transaction(lambda: auth.reserve_attempt(input.email))
        if throttled:
            return LoginPayload(token=None, expires_at=None, viewer=None, user_errors=throttled)
        signed_in, errors = await run_in_transaction(
            lambda: auth.login(
                input.email,
                input.password,
                secret=settings.secret(),
                lifetime=timedelta(hours=settings.token_lifetime_hours),
            )
        )
        if signed_in is None:  # the attempt stays counted (committed before the check)
            return LoginPayload(token=None, expires_at=None, viewer=None, user_errors=errors)
        _act_as(info.context, signed_in.viewer)
        return LoginPayload(
            token=signed_in.token,
            expires_at=signed_in.expires_at,
            viewer=viewer_object(signed_in.viewer),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Revoke the token of this request; open subscriptions on it end too.",
        permission_classes=[IsAuthenticated],
    )
    async def logout(self, info: Info) -> LogoutPayload:
        viewer = info.context.viewer
        await run_in_transaction(lambda: auth.logout(viewer))
        _act_as(info.context, ANONYMOUS)
        return LogoutPayload(ok=True, user_errors=[])
