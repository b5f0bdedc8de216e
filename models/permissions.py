"""Who may do what: the role table of DESIGN §4, in one place.

Each role is a fixed set of permissions; a staff user may hold several roles.
Portal contacts hold no role: their rights are scoped to their own account by
the `visible_*` queries of each domain.
"""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    ADMIN = "ADMIN"
    DISPATCHER = "DISPATCHER"
    TECHNICIAN = "TECHNICIAN"
    ACCOUNT_MANAGER = "ACCOUNT_MANAGER"
    PROJECT_MANAGER = "PROJECT_MANAGER"
    ACCOUNTING = "ACCOUNTING"


class Permission(str, Enum):
    VIEW_ALL_ACCOUNTS = "VIEW_ALL_ACCOUNTS"
    VIEW_OWN_ACCOUNTS = "VIEW_OWN_ACCOUNTS"
    MANAGE_ACCOUNTS = "MANAGE_ACCOUNTS"
    EDIT_OWN_ACCOUNTS = "EDIT_OWN_ACCOUNTS"
    VIEW_STAFF = "VIEW_STAFF"
    MANAGE_SETUP = "MANAGE_SETUP"
    EDIT_ALL_ACCOUNT_REQUESTS = "EDIT_ALL_ACCOUNT_REQUESTS"
    EDIT_ASSIGNED_ACCOUNT_REQUESTS = "EDIT_ASSIGNED_ACCOUNT_REQUESTS"
    EDIT_OWN_ACCOUNT_REQUESTS = "EDIT_OWN_ACCOUNT_REQUESTS"
    REVIEW_SERVICE_REQUESTS = "REVIEW_SERVICE_REQUESTS"
    REQUEST_CREDIT_ACCOUNT = "REQUEST_CREDIT_ACCOUNT"
    DECIDE_CREDIT_ACCOUNT = "DECIDE_CREDIT_ACCOUNT"
    VIEW_ALL_PHOTOS = "VIEW_ALL_PHOTOS"
    VIEW_OWN_ACCOUNT_PHOTOS = "VIEW_OWN_ACCOUNT_PHOTOS"
    VIEW_ASSIGNED_PHOTOS = "VIEW_ASSIGNED_PHOTOS"
    VIEW_ASSIGNED_JOBS = "VIEW_ASSIGNED_JOBS"
    MANAGE_BILLING = "MANAGE_BILLING"


P = Permission

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {
            P.VIEW_ALL_ACCOUNTS,
            P.MANAGE_ACCOUNTS,
            P.VIEW_STAFF,
            P.MANAGE_SETUP,
            P.EDIT_ALL_ACCOUNT_REQUESTS,
            P.REVIEW_SERVICE_REQUESTS,
            P.REQUEST_CREDIT_ACCOUNT,
            P.DECIDE_CREDIT_ACCOUNT,
            P.VIEW_ALL_PHOTOS,
            P.MANAGE_BILLING,
        }
    ),
    Role.DISPATCHER: frozenset(
        {
            P.VIEW_ALL_ACCOUNTS,
            P.MANAGE_ACCOUNTS,
            P.VIEW_STAFF,
            P.EDIT_ALL_ACCOUNT_REQUESTS,
            P.REVIEW_SERVICE_REQUESTS,
            P.VIEW_ALL_PHOTOS,
        }
    ),
    Role.TECHNICIAN: frozenset(
        {
            P.VIEW_ALL_ACCOUNTS,
            P.VIEW_STAFF,
            P.EDIT_ASSIGNED_ACCOUNT_REQUESTS,
            P.VIEW_ALL_PHOTOS,
            P.VIEW_ASSIGNED_JOBS,
        }
    ),
    Role.ACCOUNT_MANAGER: frozenset(
        {
            P.VIEW_OWN_ACCOUNTS,
            P.EDIT_OWN_ACCOUNTS,
            P.VIEW_STAFF,
            P.EDIT_OWN_ACCOUNT_REQUESTS,
            P.EDIT_ASSIGNED_ACCOUNT_REQUESTS,
            P.VIEW_OWN_ACCOUNT_PHOTOS,
        }
    ),
    # Every staff role may be assigned requests, and works what is assigned to it.
    Role.PROJECT_MANAGER: frozenset(
        {
            P.VIEW_ALL_ACCOUNTS,
            P.VIEW_STAFF,
            P.REQUEST_CREDIT_ACCOUNT,
            P.EDIT_ASSIGNED_ACCOUNT_REQUESTS,
            P.VIEW_ASSIGNED_PHOTOS,
        }
    ),
    # Deciding credit requests is for the credit team's members (company
    # settings), checked by that domain; the role alone only lets them see.
    Role.ACCOUNTING: frozenset(
        {
            P.VIEW_ALL_ACCOUNTS,
            P.VIEW_STAFF,
            P.MANAGE_BILLING,
            P.EDIT_ASSIGNED_ACCOUNT_REQUESTS,
            P.VIEW_ASSIGNED_PHOTOS,
        }
    ),
}


def permissions_of(roles: frozenset[Role] | set[Role]) -> frozenset[Permission]:
    """The union of the permissions of `roles`."""
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)
