"""Staff users, their roles and teams, and the operations on them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from tortoise import fields
from tortoise.expressions import Q, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.base import TimestampedModel
from models.errors import DomainError, DomainErrors, ErrorCode, not_found
from models.passwords import check_strength, hash_password
from models.permissions import Permission, Role
from models.statements import Select
from models.validation import clean_email, clean_text, optional_text, search_term
from models.viewer import Viewer, require

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


def visible_users(viewer: Viewer) -> QuerySet[User]:
    """Staff see every colleague; portal contacts see none."""
    if viewer.can(Permission.VIEW_STAFF):
        return User.all()
    return User.filter(id__in=[])


def search_users(
    viewer: Viewer,
    *,
    search: str | None = None,
    roles: Iterable[Role] | None = None,
    role: Role | None = None,
    is_active: bool | None = None,
) -> QuerySet[User]:
    """The visible users matching a filter, by name."""
    query = visible_users(viewer)
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
    if viewer.can(Permission.VIEW_STAFF):
        return Team.all()
    return Team.filter(id__in=[])


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


@dataclass
class UserData:
    """The fields of a user a mutation may set; None means "leave as it is"."""

    name: str | None = None
    email: str | None = None
    login: str | None = None
    employee_id: str | None = None
    phone: str | None = None
    mobile: str | None = None
    password: str | None = None
    roles: list[Role] | None = None
    is_active: bool | None = None


def _duplicate(field: str) -> DomainError:
    return DomainError(ErrorCode.DUPLICATE, f"Another user has this {field}.", field)


def signs_in_as(value: str) -> Q:
    """Rows that sign in as `value`: by e-mail, or by login name."""
    match = Q(email=value)
    if len(value) <= LOGIN_LENGTH:  # Tortoise refuses to compare longer values
        match |= Q(login=value)
    return match


async def _check_unique(user: User | None, data: UserData) -> list[DomainError]:
    from models.accounts import Contact  # accounts imports this module

    others = User.exclude(id=user.id) if user is not None else User.all()
    problems = []
    # Sign-in accepts an e-mail or a login name, so both share one name space,
    # with the portal contacts' e-mails too: a clash would lock someone out.
    for field, value in (("email", data.email), ("login", data.login)):
        if value is None:
            continue
        if await others.filter(signs_in_as(value)).exists() or (
            await Contact.filter(portal_email=value).exists()
        ):
            problems.append(_duplicate(field))
    if data.employee_id and await others.filter(employee_id=data.employee_id).exists():
        problems.append(_duplicate("employeeId"))
    return problems


def _clean(data: UserData) -> UserData:
    return UserData(
        name=clean_text(data.name, "name", 200) if data.name is not None else None,
        email=clean_email(data.email, "email") if data.email is not None else None,
        login=clean_text(data.login, "login", LOGIN_LENGTH).lower()
        if data.login is not None
        else None,
        employee_id=optional_text(data.employee_id, "employeeId", 50),
        phone=optional_text(data.phone, "phone", 50),
        mobile=optional_text(data.mobile, "mobile", 50),
        password=data.password,
        roles=data.roles,
        is_active=data.is_active,
    )


async def set_roles(user: User, roles: Iterable[Role]) -> None:
    wanted = set(roles)
    await UserRole.filter(user_id=user.id).exclude(role__in=list(wanted)).delete()
    held = {Role(r) for r in await UserRole.filter(user_id=user.id).values_list("role", flat=True)}
    await UserRole.bulk_create([UserRole(user_id=user.id, role=role) for role in wanted - held])


async def create_user(viewer: Viewer, data: UserData) -> User:
    require(viewer, Permission.MANAGE_SETUP)
    return await add_user(data)


async def add_user(data: UserData) -> User:
    """Check and insert a user, whoever asks (createUser, or the CLI's first admin)."""
    data = _clean(data)
    required = (("name", data.name), ("email", data.email), ("password", data.password))
    missing = [
        DomainError(ErrorCode.REQUIRED, f"{field} is required.", field)
        for field, value in required
        if not value
    ]
    if missing:
        raise DomainErrors(missing)
    assert data.name and data.email and data.password
    check_strength(data.password, email=data.email)
    problems = await _check_unique(None, data)
    if problems:
        raise DomainErrors(problems)
    if data.login is None:
        # The e-mail, already checked against every sign-in name, doubles as login.
        if len(data.email) > LOGIN_LENGTH:
            raise DomainError(
                ErrorCode.REQUIRED, "This e-mail is too long to sign in with; add a login.", "login"
            )
        data.login = data.email
    user = await User.create(
        name=data.name,
        email=data.email,
        login=data.login,
        employee_id=data.employee_id,
        phone=data.phone,
        mobile=data.mobile,
        password_hash=await hash_password(data.password),
        is_active=True if data.is_active is None else data.is_active,
    )
    await set_roles(user, data.roles or [])
    return user


async def get_user(user_id: int, field: str = "id") -> User:
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise not_found(field, "user")
    return user


async def update_user(viewer: Viewer, user_id: int, data: UserData) -> User:
    """Change a user; deactivation and password changes end their sessions at once,
    and open subscriptions re-check their permissions when the roles change."""
    from models import accounts, auth  # the account and token rules live there

    require(viewer, Permission.MANAGE_SETUP)
    user = await User.select_for_update().get_or_none(id=user_id)
    if user is None:
        raise not_found("id", "user")
    data = _clean(data)
    if user.id == viewer.user_id and (
        data.is_active is False or (data.roles is not None and Role.ADMIN not in data.roles)
    ):
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "You cannot deactivate yourself or drop your own ADMIN role.",
            "isActive" if data.is_active is False else "roles",
        )
    problems = await _check_unique(user, data)
    if problems:
        raise DomainErrors(problems)
    for attr in ("name", "email", "login", "employee_id", "phone", "mobile"):
        value = getattr(data, attr)
        if value is not None:
            setattr(user, attr, value or None)
    end_sessions = False
    if data.password is not None:
        check_strength(data.password, email=user.email)
        user.password_hash = await hash_password(data.password)
        end_sessions = True
    if data.is_active is not None and data.is_active != user.is_active:
        user.is_active = data.is_active
        end_sessions = end_sessions or not data.is_active
    await user.save()
    if data.roles is not None:
        await set_roles(user, data.roles)
    if not user.is_active or (data.roles is not None and Role.ACCOUNT_MANAGER not in data.roles):
        await accounts.unassign_manager(user.id)
    if end_sessions:
        await auth.revoke_tokens(user_id=user.id)
    elif data.roles is not None:
        auth.permissions_changed(user.id)
    return user


@dataclass
class TeamData:
    name: str | None = None
    leader_id: int | None = None
    clear_leader: bool = False
    member_ids: list[int] | None = None


async def _check_team(team: Team | None, data: TeamData) -> None:
    if data.name is not None:
        data.name = clean_text(data.name, "name", 200)
        clash = Team.filter(name=data.name)
        if team is not None:
            clash = clash.exclude(id=team.id)
        if await clash.exists():
            raise DomainError(ErrorCode.DUPLICATE, "Another team has this name.", "name")
    if data.leader_id is not None:
        await get_user(data.leader_id, "leaderId")
    if data.member_ids is not None:
        wanted = set(data.member_ids)
        found = set(await User.filter(id__in=list(wanted)).values_list("id", flat=True))
        if wanted - found:
            raise not_found("memberIds", "user")


async def _set_members(team: Team, member_ids: Iterable[int]) -> None:
    wanted = set(member_ids)
    await TeamMember.filter(team_id=team.id).exclude(user_id__in=list(wanted)).delete()
    held = set(await TeamMember.filter(team_id=team.id).values_list("user_id", flat=True))
    await TeamMember.bulk_create(
        [TeamMember(team_id=team.id, user_id=user_id) for user_id in wanted - held]
    )


async def _member_ids(team_id: int) -> set[int]:
    rows = await TeamMember.filter(team_id=team_id).values_list("user_id", flat=True)
    return set(cast("list[int]", rows))


async def create_team(viewer: Viewer, data: TeamData) -> Team:
    require(viewer, Permission.MANAGE_SETUP)
    if not data.name:
        raise DomainError(ErrorCode.REQUIRED, "name is required.", "name")
    await _check_team(None, data)
    assert data.name is not None
    team = await Team.create(name=data.name, leader_id=data.leader_id)
    members = set(data.member_ids or [])
    if data.leader_id is not None:
        members.add(data.leader_id)  # a leader is always one of the team
    await _set_members(team, members)
    return team


async def update_team(viewer: Viewer, team_id: int, data: TeamData) -> Team:
    require(viewer, Permission.MANAGE_SETUP)
    team = await Team.select_for_update().get_or_none(id=team_id)
    if team is None:
        raise not_found("id", "team")
    await _check_team(team, data)
    if data.name is not None:
        team.name = data.name
    if data.clear_leader:
        team.leader_id = None
    elif data.leader_id is not None:
        team.leader_id = data.leader_id
    await team.save()
    if data.member_ids is not None or data.leader_id is not None:
        members: set[int] = (
            set(data.member_ids) if data.member_ids is not None else await _member_ids(team.id)
        )
        if team.leader_id is not None:
            members.add(team.leader_id)
        await _set_members(team, members)
    return team


async def eligible_user(user_id: int, field: str, roles: tuple[Role, ...], work: str) -> User:
    """An active user holding one of `roles`, to be given `work` (requests, jobs)."""
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise not_found(field, "user")
    if not user.is_active:
        raise DomainError(ErrorCode.USER_INACTIVE, f"{user.name} is inactive.", field)
    if not await UserRole.filter(user_id=user_id, role__in=list(roles)).exists():
        needed = ", ".join(role.value for role in roles)
        raise DomainError(
            ErrorCode.ASSIGNEE_NOT_ELIGIBLE,
            f"{user.name} does not work {work} (needs one of {needed}).",
            field,
        )
    return user
