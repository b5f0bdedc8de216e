"""Which staff users and teams a viewer may see, and the user search."""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models.directory.users import Team, User, UserRole
from models.permissions import Permission, Role
from models.validation import search_term
from models.viewer import Viewer


def sees_every_colleague(viewer: Viewer) -> bool:
    """Is the viewer's visible set of users, and of teams, the whole table
    (`visible_users`, `visible_teams`)?"""
    return viewer.can(Permission.VIEW_STAFF)


def visible_users(viewer: Viewer) -> QuerySet[User]:
    """Staff see every colleague; portal contacts see none."""
    if sees_every_colleague(viewer):
        return User.all()
    return User.filter(id__in=[])


def search_users(
    viewer: Viewer,
    *,
    search: str | None = None,
    roles: Iterable[Role] | None = None,
    role: Role | None = None,
    is_active: bool | None = None,
    include_archived: bool = False,
) -> QuerySet[User]:
    """The visible users matching a filter, by name; archived users only when asked
    (by an admin: they are gone from every picker)."""
    query = visible_users(viewer)
    if not (include_archived and viewer.can(Permission.MANAGE_SETUP)):
        query = query.filter(archived_at__isnull=True)
    term = search_term(search)
    if term:
        query = query.filter(
            Q(name__icontains=term) | Q(email__icontains=term) | Q(login__icontains=term)
        )
    wanted = list(set(roles or []))
    if wanted:
        # A subquery: a plain ValuesQuery is not accepted by `__in`.
        holders = UserRole.filter(role__in=wanted).values("user_id")
        query = query.filter(id__in=Subquery(holders))
    if role is not None:
        query = query.filter(id__in=Subquery(UserRole.filter(role=role).values("user_id")))
    if is_active is not None:
        query = query.filter(is_active=is_active)
    return query.order_by("name", "id")


def visible_teams(viewer: Viewer) -> QuerySet[Team]:
    if sees_every_colleague(viewer):
        return Team.all()
    return Team.filter(id__in=[])
