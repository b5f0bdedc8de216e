"""Strawberry permission classes: declared on fields, backed by models.permissions."""

from __future__ import annotations

from typing import Any

from fastpath import ViewerPermission
from models.errors import Forbidden, Unauthenticated
from models.permissions import Permission
from models.viewer import Viewer


def _viewer(info: Any) -> Viewer:
    viewer: Viewer = info.context.viewer
    return viewer


class IsAuthenticated(ViewerPermission):
    """Anyone signed in: a staff user or a portal contact."""

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        if not _viewer(info).is_authenticated:
            raise Unauthenticated()
        return True


class IsStaff(ViewerPermission):
    """Staff users only; portal contacts are refused."""

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        viewer = _viewer(info)
        if not viewer.is_authenticated:
            raise Unauthenticated()
        if not viewer.is_staff:
            raise Forbidden()
        return True


class IsPortalContact(ViewerPermission):
    """Portal contacts only (the customer side); staff are refused."""

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        viewer = _viewer(info)
        if not viewer.is_authenticated:
            raise Unauthenticated()
        if not viewer.is_contact:
            raise Forbidden("This is done from the customer portal.")
        return True


class _HasAnyPermission(ViewerPermission):
    permissions: tuple[Permission, ...] = ()
    contacts: bool = False

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        viewer = _viewer(info)
        if not viewer.is_authenticated:
            raise Unauthenticated()
        if self.contacts and viewer.is_contact:
            return True
        if not any(viewer.can(permission) for permission in self.permissions):
            raise Forbidden()
        return True


def requires(*permissions: Permission, or_portal_contact: bool = False) -> type[ViewerPermission]:
    """A permission class granting viewers that hold any of `permissions`.

    With `or_portal_contact`, portal contacts pass too: the domain's visibility
    query then scopes them to their own account.
    """
    name = "Requires" + "Or".join(p.value.title().replace("_", "") for p in permissions)
    if or_portal_contact:
        name += "OrPortalContact"
    return type(
        name, (_HasAnyPermission,), {"permissions": permissions, "contacts": or_portal_contact}
    )


CanManageSetup = requires(Permission.MANAGE_SETUP)
CanManageAccounts = requires(Permission.MANAGE_ACCOUNTS)
CanEditAccounts = requires(Permission.MANAGE_ACCOUNTS, Permission.EDIT_OWN_ACCOUNTS)
CanViewStaff = requires(Permission.VIEW_STAFF)
