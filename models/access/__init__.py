"""Getting in without an admin typing a password: invitations and password resets."""

from models.access.invitations import invite_contact, invite_user
from models.access.links import LIFETIMES, Holder
from models.access.resets import PasswordSet, request_reset, set_password
from models.access.tables import AccessGrant, GrantPurpose

__all__ = [
    "LIFETIMES",
    "AccessGrant",
    "GrantPurpose",
    "Holder",
    "PasswordSet",
    "invite_contact",
    "invite_user",
    "request_reset",
    "set_password",
]
