"""Staff users, their roles and teams: who sees them, and the operations on them.

The tables live in `models.directory.users` (the viewer is made of a user); they
are re-exported here, so `users.User` reads as before.
"""

from models.assignees import eligible_user
from models.directory.users import (
    EMAIL_LENGTH,
    LOGIN_LENGTH,
    ROLES_LISTED,
    Team,
    TeamMember,
    User,
    UserRole,
    role_map,
    signs_in_as,
)
from models.users.archive import Archived, archive_user, restore_user
from models.users.operations import (
    UserData,
    add_user,
    create_user,
    get_user,
    set_roles,
    update_user,
)
from models.users.teams import TeamData, create_team, update_team
from models.users.visibility import (
    search_users,
    sees_every_colleague,
    visible_teams,
    visible_users,
)

__all__ = [
    "EMAIL_LENGTH",
    "LOGIN_LENGTH",
    "ROLES_LISTED",
    "Archived",
    "Team",
    "TeamData",
    "TeamMember",
    "User",
    "UserData",
    "UserRole",
    "add_user",
    "archive_user",
    "create_team",
    "create_user",
    "eligible_user",
    "get_user",
    "restore_user",
    "role_map",
    "search_users",
    "sees_every_colleague",
    "set_roles",
    "signs_in_as",
    "update_team",
    "update_user",
    "visible_teams",
    "visible_users",
]
