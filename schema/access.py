"""Getting in: invitations, password resets, and setting a password with a mailed link."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.permissions import CanManageSetup, requires
from models import access
from models.permissions import Permission
from schema.accounts.types import Contact
from schema.budgets import client_address
from schema.errors import UserError, run_in_transaction
from schema.relay.ids import key_for
from schema.users import User


@strawberry.input(description="Whose password to reset.")
class RequestPasswordResetInput:
    email: str = strawberry.field(description="The e-mail the person signs in with.")


@strawberry.type(description="Result of requestPasswordReset.")
class RequestPasswordResetPayload:
    ok: bool = strawberry.field(
        description="True when the request was taken: a link is mailed if, and only if, "
        "the address signs in to Docket (the answer is the same either way)."
    )
    user_errors: list[UserError] = strawberry.field(
        description="TOO_MANY_ATTEMPTS when asked too often for this address or from here."
    )


@strawberry.input(description="The staff user to invite.")
class InviteUserInput:
    user_id: strawberry.ID = strawberry.field(description="The user.")


@strawberry.type(description="Result of inviteUser.")
class InviteUserPayload:
    user: User | None = strawberry.field(description="The user the invitation was mailed to.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="The portal contact to invite.")
class InviteContactInput:
    contact_id: strawberry.ID = strawberry.field(description="The contact (with portal access).")


@strawberry.type(description="Result of inviteContact.")
class InviteContactPayload:
    contact: Contact | None = strawberry.field(
        description="The contact the invitation was mailed to."
    )
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="A mailed link's token and the password to set with it.")
class SetPasswordWithTokenInput:
    token: str = strawberry.field(description="The token from the link (after `#token=`).")
    password: str = strawberry.field(description="At least 10 characters, not easy to guess.")


@strawberry.type(description="Result of setPasswordWithToken.")
class SetPasswordWithTokenPayload:
    ok: bool = strawberry.field(description="True once the password is set.")
    email: str | None = strawberry.field(description="The e-mail to sign in with now.")
    user_errors: list[UserError] = strawberry.field(
        description="INVALID_TOKEN for a used, expired or unknown link; WEAK_PASSWORD."
    )


@strawberry.type
class AccessMutations:
    @strawberry.mutation(
        description="Mail a link to choose a new password (no sign-in needed). The answer "
        "is the same whether or not the address has an account; the link works once, "
        "for one hour. At most 3 requests per address and 10 per client in 15 minutes."
    )
    async def request_password_reset(
        self, info: Info, input: RequestPasswordResetInput
    ) -> RequestPasswordResetPayload:
        settings = info.context.settings
        client = client_address(info.context.request)
        _, errors = await run_in_transaction(
            lambda: access.request_reset(
                input.email, client, secret=settings.secret(), app_url=settings.app_url
            )
        )
        return RequestPasswordResetPayload(ok=not errors, user_errors=errors)

    @strawberry.mutation(
        description="Mail a staff user a link to choose their password (admins); it works "
        "once, for 7 days, and ends any earlier invitation.",
        permission_classes=[CanManageSetup],
    )
    async def invite_user(self, info: Info, input: InviteUserInput) -> InviteUserPayload:
        viewer, settings = info.context.viewer, info.context.settings
        row, errors = await run_in_transaction(
            lambda: access.invite_user(
                viewer,
                key_for(input.user_id, "User"),
                secret=settings.secret(),
                app_url=settings.app_url,
            )
        )
        return InviteUserPayload(user=User.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Mail a portal contact a link to choose their password (who may change "
        "the account's contacts); it works once, for 7 days.",
        permission_classes=[requires(Permission.MANAGE_ACCOUNTS, Permission.EDIT_OWN_ACCOUNTS)],
    )
    async def invite_contact(self, info: Info, input: InviteContactInput) -> InviteContactPayload:
        viewer, settings = info.context.viewer, info.context.settings
        row, errors = await run_in_transaction(
            lambda: access.invite_contact(
                viewer,
                key_for(input.contact_id, "Contact"),
                secret=settings.secret(),
                app_url=settings.app_url,
            )
        )
        return InviteContactPayload(
            contact=Contact.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Set a password with the token of an invitation or reset link (no "
        "sign-in needed). Every session of that person ends; then sign in with `login`."
    )
    async def set_password_with_token(
        self, info: Info, input: SetPasswordWithTokenInput
    ) -> SetPasswordWithTokenPayload:
        secret = info.context.settings.secret()
        done, errors = await run_in_transaction(
            lambda: access.set_password(input.token, input.password, secret=secret)
        )
        return SetPasswordWithTokenPayload(
            ok=done is not None, email=done.holder.email if done else None, user_errors=errors
        )
