"""The tables of staff: users, the roles they hold, teams and their members."""

from __future__ import annotations

from collections.abc import Iterable

from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model

from fastpath import Listed
from fastpath.statements import Select
from models.base import TimestampedModel
from models.permissions import Role

EMAIL_LENGTH = 254
LOGIN_LENGTH = 100


class User(TimestampedModel):
    """A staff member who signs in with the primary e-mail (or login name)."""

    name = fields.CharField(max_length=200)
    email = fields.CharField(max_length=EMAIL_LENGTH, unique=True)
    login = fields.CharField(max_length=LOGIN_LENGTH, unique=True)
    employee_id = fields.CharField(max_length=50, null=True, unique=True)
    phone = fields.CharField(max_length=50, null=True)
    mobile = fields.CharField(max_length=50, null=True)
    password_hash = fields.CharField(max_length=255)
    is_active = fields.BooleanField(default=True)
    # Archived (deleted) by an admin: gone from pickers and lists; history keeps the name.
    archived_at = fields.DatetimeField(null=True)

    roles: fields.ReverseRelation[UserRole]
    memberships: fields.ReverseRelation[TeamMember]

    class Meta:
        table = "users"
        ordering = ["name", "id"]


class UserRole(Model):
    """One role held by one user."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="roles", on_delete=fields.CASCADE
    )
    user_id: int
    role = fields.CharEnumField(Role, max_length=32)

    class Meta:
        table = "user_roles"
        unique_together = (("user", "role"),)


class Team(TimestampedModel):
    """A group of staff with a leader (the credit team is one of them)."""

    name = fields.CharField(max_length=200, unique=True)
    leader: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="led_teams", null=True, on_delete=fields.SET_NULL
    )
    leader_id: int | None

    members: fields.ReverseRelation[TeamMember]

    class Meta:
        table = "teams"
        ordering = ["name", "id"]


class TeamMember(Model):
    id = fields.IntField(primary_key=True)
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "models.Team", related_name="members", on_delete=fields.CASCADE
    )
    team_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE
    )
    user_id: int

    class Meta:
        table = "team_members"
        unique_together = (("team", "user"),)


def signs_in_as(value: str) -> Q:
    """Rows that sign in as `value`: by e-mail, or by login name."""
    match = Q(email=value)
    if len(value) <= LOGIN_LENGTH:  # Tortoise refuses to compare longer values
        match |= Q(login=value)
    return match


# Read on every signed-in request (models.auth): its SQL is written once.
_ROLES_OF = Select(UserRole, '"user_id" IN ({})')
_ROLE_ORDER = {role: position for position, role in enumerate(Role)}


async def role_map(user_ids: Iterable[int]) -> dict[int, list[Role]]:
    """The roles of each user, in the order of the Role enum."""
    ids = list(set(user_ids))
    found: dict[int, list[Role]] = {user_id: [] for user_id in ids}
    for grant in await _ROLES_OF.rows(ids):
        found[grant.user_id].append(grant.role)
    return {key: sorted(roles, key=_ROLE_ORDER.__getitem__) for key, roles in found.items()}


# `role_map`'s lists as the database writes them (the JSON lane): the roles of the
# user of row `{row}`, in the order of the Role enum.
ROLES_LISTED = Listed(
    rows='SELECT r."role" AS value_ FROM "user_roles" r WHERE r."user_id" = {row}."id"',
    order='array_position(ARRAY[{}]::text[], {{listed}}."value_"::text)'.format(
        ", ".join(f"'{role.value}'" for role in Role)
    ),
    columns=("id",),
    written_as=UserRole._meta.fields_map["role"],
)
