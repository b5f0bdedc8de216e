"""Who is asking: a staff user, a portal contact, or nobody."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.directory.accounts import Contact
from models.directory.users import User
from models.errors import Forbidden, Unauthenticated
from models.permissions import Permission, Role, permissions_of


@dataclass(frozen=True)
class Viewer:
    """The signed-in party of one request; built by the API from the bearer token."""

    user: User | None = None
    contact: Contact | None = None
    roles: frozenset[Role] = frozenset()
    token_id: int | None = None
    permissions: frozenset[Permission] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "permissions", permissions_of(self.roles))

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None or self.contact is not None

    @property
    def is_staff(self) -> bool:
        return self.user is not None

    @property
    def is_contact(self) -> bool:
        return self.contact is not None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def contact_account_id(self) -> int | None:
        return self.contact.account_id if self.contact is not None else None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def has_role(self, role: Role) -> bool:
        return role in self.roles


ANONYMOUS = Viewer()


def require(viewer: Viewer, *permissions: Permission) -> None:
    """Refuse unless the viewer holds one of `permissions`."""
    if not viewer.is_authenticated:
        raise Unauthenticated()
    if not any(viewer.can(permission) for permission in permissions):
        raise Forbidden()


def require_staff(viewer: Viewer) -> None:
    if not viewer.is_authenticated:
        raise Unauthenticated()
    if not viewer.is_staff:
        raise Forbidden()
