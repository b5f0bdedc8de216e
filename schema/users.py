"""Staff users and teams: types, lists and the admin mutations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Protocol

import strawberry

from api.context import Info
from api.permissions import CanManageSetup, CanViewStaff
from fastpath import Listed, batched, related
from loaders.users import MEMBERS_ORDER, MEMBERS_SQL
from models import users
from models.permissions import Role
from schema.errors import UserError, run_in_transaction
from schema.nodes import NodeConverter, register_node, rows_of_loader
from schema.relay.connections import After, Before, Connection, First, Last, Node, PageArgs
from schema.relay.ids import encode_id, key_for
from schema.relay.offset_paging import paginate, paginate_list

if TYPE_CHECKING:
    from schema.accounts.types import Account

AccountType = Annotated["Account", strawberry.lazy("schema.accounts.types")]
_account: NodeConverter[Account] = NodeConverter("Account")

# Registers the domain enum as the GraphQL `Role` (same class, no copy).
strawberry.enum(Role, description="A staff role; each grants a fixed set of rights.")


class _Keyed(Protocol):
    pk: int


async def _roles(info: Info, people: Sequence[_Keyed]) -> list[list[Role]]:
    """The roles of each user."""
    return await info.context.loaders.roles_by_user_id.load_many([user.pk for user in people])


async def _members(info: Info, teams: Sequence[_Keyed]) -> list[list[User]]:
    """The members of each team, by name."""
    found = await info.context.loaders.members_by_team_id.load_many([team.pk for team in teams])
    return [[User.from_row(row) for row in rows] for rows in found]


@strawberry.type(description="A staff member.")
class User(Node):
    name: str = strawberry.field(description="Full name.")
    email: str = strawberry.field(description="Primary e-mail; used to sign in.")
    login: str = strawberry.field(description="Unique login name; also accepted to sign in.")
    employee_id: str | None = strawberry.field(description="Employee ID.")
    phone: str | None = strawberry.field(description="Phone number.")
    mobile: str | None = strawberry.field(description="Mobile number.")
    is_active: bool = strawberry.field(description="Inactive users cannot sign in.")
    created_at: datetime = strawberry.field(description="When the user was created.")
    archived_at: datetime | None = strawberry.field(
        description="When an admin archived (deleted) the user; null while they are not. "
        "Archived users are gone from lists and pickers; history keeps their name."
    )
    pk: strawberry.Private[int]
    roles: list[Role] = batched(
        _roles, written=users.ROLES_LISTED, description="The roles this user holds."
    )

    @classmethod
    def from_row(cls, row: users.User) -> User:
        return cls(
            id=strawberry.ID(encode_id("User", row.id)),
            name=row.name,
            email=row.email,
            login=row.login,
            employee_id=row.employee_id,
            phone=row.phone,
            mobile=row.mobile,
            is_active=row.is_active,
            created_at=row.created_at,
            archived_at=row.archived_at,
            pk=row.id,
        )

    @strawberry.field(description="Teams this user belongs to.")
    async def teams(self, info: Info) -> list[Team]:
        rows = await info.context.loaders.teams_by_user_id.load(self.pk)
        return [Team.from_row(row) for row in rows]

    @strawberry.field(description="Accounts this user manages (that the viewer may see).")
    async def managed_accounts(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AccountType]:
        rows = await info.context.loaders.accounts_by_manager_id.load(self.pk)
        return paginate_list([_account(row) for row in rows], PageArgs(first, after, last, before))


@strawberry.type(description="A group of staff with a leader.")
class Team(Node):
    name: str = strawberry.field(description="Unique team name.")
    created_at: datetime = strawberry.field(description="When the team was created.")
    leader_id: strawberry.Private[int | None]
    pk: strawberry.Private[int]
    leader: User | None = related(
        "leader_id", "users_by_id", description="The team leader (always also a member)."
    )
    members: list[User] = batched(
        _members,
        written=Listed(
            MEMBERS_SQL,
            MEMBERS_ORDER,
            columns=("id",),
            reads=(("users_by_id", users.User),),
            made_by=User.from_row,
        ),
        description="Members of the team, by name.",
    )

    @classmethod
    def from_row(cls, row: users.Team) -> Team:
        return cls(
            id=strawberry.ID(encode_id("Team", row.id)),
            name=row.name,
            created_at=row.created_at,
            leader_id=row.leader_id,
            pk=row.id,
        )


async def user_by_id(info: Info, user_id: int | None) -> User | None:
    """The user of a foreign key, through the viewer's loaders (null if not visible)."""
    if user_id is None:
        return None
    row = await info.context.loaders.users_by_id.load(user_id)
    return User.from_row(row) if row else None


async def _load_users(info: Info, ids: list[int]) -> list[users.User | None]:
    return await info.context.loaders.users_by_id.load_many(ids)


async def _load_teams(info: Info, ids: list[int]) -> list[users.Team | None]:
    return await info.context.loaders.teams_by_id.load_many(ids)


register_node("User", _load_users, User.from_row, rows=rows_of_loader("users_by_id"))
register_node("Team", _load_teams, Team.from_row, rows=rows_of_loader("teams_by_id"))


@strawberry.input(description="Narrow the users list.")
class UserFilter:
    search: str | None = strawberry.field(
        default=None, description="Part of the name, e-mail or login."
    )
    roles: list[Role] | None = strawberry.field(
        default=None, description="Users holding any of these roles."
    )
    role: Role | None = strawberry.field(
        default=None,
        description="Users holding this role (with roles: holding it and one of those), "
        "e.g. ACCOUNT_MANAGER with `managedAccounts`.",
    )
    is_active: bool | None = strawberry.field(default=None, description="Active or not.")
    include_archived: bool = strawberry.field(
        default=False,
        description="Also list archived users (admins only; ignored for anyone else).",
    )


@strawberry.type
class UserQueries:
    @strawberry.field(description="Staff users, by name.", permission_classes=[CanViewStaff])
    async def users(
        self,
        info: Info,
        filter: Annotated[
            UserFilter | None,
            strawberry.argument(description="Conditions the users must all meet."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[User]:
        spec = filter or UserFilter()
        query = users.search_users(
            info.context.viewer,
            search=spec.search,
            roles=[role for role in spec.roles or []],
            role=spec.role,
            is_active=spec.is_active,
            include_archived=spec.include_archived,
        )
        return await paginate(query, PageArgs(first, after, last, before), User.from_row, info=info)

    @strawberry.field(description="Teams, by name.", permission_classes=[CanViewStaff])
    async def teams(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Team]:
        query = users.visible_teams(info.context.viewer).order_by("name", "id")
        return await paginate(query, PageArgs(first, after, last, before), Team.from_row, info=info)


@strawberry.input(description="A new staff user.")
class CreateUserInput:
    name: str = strawberry.field(description="Full name.")
    email: str = strawberry.field(description="Primary e-mail; used to sign in.")
    password: str | None = strawberry.field(
        default=None,
        description="At least 10 characters, not easy to guess. Leave it out to let the "
        "user choose their own from an invitation (inviteUser).",
    )
    roles: list[Role] = strawberry.field(description="Roles to hold.")
    login: str | None = strawberry.field(
        default=None, description="Unique login name; the e-mail when left out."
    )
    employee_id: str | None = strawberry.field(default=None, description="Employee ID.")
    phone: str | None = strawberry.field(default=None, description="Phone number.")
    mobile: str | None = strawberry.field(default=None, description="Mobile number.")


@strawberry.input(description="Changes to a user; fields left out stay as they are.")
class UpdateUserInput:
    id: strawberry.ID = strawberry.field(description="The user to change.")
    name: str | None = strawberry.field(default=None, description="Full name.")
    email: str | None = strawberry.field(default=None, description="Primary e-mail.")
    login: str | None = strawberry.field(default=None, description="Login name.")
    employee_id: str | None = strawberry.field(default=None, description="Employee ID.")
    phone: str | None = strawberry.field(default=None, description="Phone; empty clears it.")
    mobile: str | None = strawberry.field(default=None, description="Mobile; empty clears it.")
    password: str | None = strawberry.field(
        default=None, description="New password; ends every session of the user."
    )
    roles: list[Role] | None = strawberry.field(
        default=None,
        description="The full new set of roles; losing ACCOUNT_MANAGER releases their accounts.",
    )
    is_active: bool | None = strawberry.field(
        default=None,
        description="False deactivates: sessions end at once and managed accounts are released.",
    )


@strawberry.type(description="Result of createUser.")
class CreateUserPayload:
    user: User | None = strawberry.field(description="The new user.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of updateUser.")
class UpdateUserPayload:
    user: User | None = strawberry.field(description="The changed user.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.input(description="A new team.")
class CreateTeamInput:
    name: str = strawberry.field(description="Unique team name.")
    leader_id: strawberry.ID | None = strawberry.field(default=None, description="The leader.")
    member_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Members (the leader is added anyway)."
    )


@strawberry.input(description="Changes to a team; fields left out stay as they are.")
class UpdateTeamInput:
    id: strawberry.ID = strawberry.field(description="The team to change.")
    name: str | None = strawberry.field(default=None, description="New name.")
    leader_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="New leader; null removes the leader."
    )
    member_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The full new member list."
    )


@strawberry.type(description="Result of createTeam.")
class CreateTeamPayload:
    team: Team | None = strawberry.field(description="The new team.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type(description="Result of updateTeam.")
class UpdateTeamPayload:
    team: Team | None = strawberry.field(description="The changed team.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


@strawberry.type
class UserMutations:
    @strawberry.mutation(description="Create a staff user.", permission_classes=[CanManageSetup])
    async def create_user(self, info: Info, input: CreateUserInput) -> CreateUserPayload:
        viewer = info.context.viewer
        data = users.UserData(
            name=input.name,
            email=input.email,
            login=input.login,
            employee_id=input.employee_id,
            phone=input.phone,
            mobile=input.mobile,
            password=input.password,
            roles=[role for role in input.roles],
        )
        row, errors = await run_in_transaction(lambda: users.create_user(viewer, data))
        return CreateUserPayload(user=User.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Change a user: profile, password, roles, or deactivate.",
        permission_classes=[CanManageSetup],
    )
    async def update_user(self, info: Info, input: UpdateUserInput) -> UpdateUserPayload:
        viewer = info.context.viewer
        data = users.UserData(
            name=input.name,
            email=input.email,
            login=input.login,
            employee_id=input.employee_id,
            phone=input.phone,
            mobile=input.mobile,
            password=input.password,
            roles=None if input.roles is None else [r for r in input.roles],
            is_active=input.is_active,
        )
        row, errors = await run_in_transaction(
            lambda: users.update_user(viewer, key_for(input.id, "User"), data)
        )
        return UpdateUserPayload(user=User.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(description="Create a team.", permission_classes=[CanManageSetup])
    async def create_team(self, info: Info, input: CreateTeamInput) -> CreateTeamPayload:
        viewer = info.context.viewer
        data = users.TeamData(
            name=input.name,
            leader_id=None if input.leader_id is None else key_for(input.leader_id, "User"),
            member_ids=[key_for(member, "User") for member in input.member_ids],
        )
        row, errors = await run_in_transaction(lambda: users.create_team(viewer, data))
        return CreateTeamPayload(team=Team.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Rename a team, change its leader or members.",
        permission_classes=[CanManageSetup],
    )
    async def update_team(self, info: Info, input: UpdateTeamInput) -> UpdateTeamPayload:
        viewer = info.context.viewer
        data = users.TeamData(
            name=input.name,
            leader_id=(
                key_for(input.leader_id, "User")
                if input.leader_id not in (None, strawberry.UNSET)
                else None
            ),
            clear_leader=input.leader_id is None,
            member_ids=(
                None if input.member_ids is None else [key_for(m, "User") for m in input.member_ids]
            ),
        )
        row, errors = await run_in_transaction(
            lambda: users.update_team(viewer, key_for(input.id, "Team"), data)
        )
        return UpdateTeamPayload(team=Team.from_row(row) if row else None, user_errors=errors)
