"""Creating and changing staff users: unique sign-in names, roles, ending sessions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from models import accounts, auth
from models.directory.accounts import Contact
from models.directory.users import LOGIN_LENGTH, User, UserRole, signs_in_as
from models.errors import DomainError, DomainErrors, ErrorCode, not_found
from models.passwords import check_strength, hash_password
from models.permissions import Permission, Role
from models.validation import clean_email, clean_text, optional_text
from models.viewer import Viewer, require


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


async def _check_unique(user: User | None, data: UserData) -> list[DomainError]:
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
    return await add_user(data, password_required=False)


async def add_user(data: UserData, *, password_required: bool = True) -> User:
    """Check and insert a user, whoever asks (createUser, or the CLI's first admin).

    Without a password (createUser may leave it out) nobody can sign in as the user
    until they choose one from an invitation (inviteUser).
    """
    data = _clean(data)
    required = [("name", data.name), ("email", data.email)]
    if password_required:
        required.append(("password", data.password))
    missing = [
        DomainError(ErrorCode.REQUIRED, f"{field} is required.", field)
        for field, value in required
        if not value
    ]
    if missing:
        raise DomainErrors(missing)
    assert data.name and data.email
    if data.password is not None:
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
        password_hash=await hash_password(data.password) if data.password is not None else "",
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
    if user.archived_at is not None and data.is_active:
        raise DomainError(
            ErrorCode.USER_ARCHIVED, f"{user.name} was removed: restore them first.", "isActive"
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
