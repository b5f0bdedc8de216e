"""Customer accounts, their sites and contacts: who sees them, and the operations on them.

The tables live in `models.directory.accounts` (the viewer is made of a contact);
they are re-exported here, so `accounts.Account` reads as before.
"""

from models.accounts.contacts import ContactData, create_contact, update_contact
from models.accounts.lists import AccountFilter, AccountOrderField, filter_accounts, order_accounts
from models.accounts.managers import ManagerChange, set_account_manager, unassign_manager
from models.accounts.operations import (
    MAX_CREDIT_LIMIT,
    AccountData,
    create_account,
    descendant_ids,
    set_account_active,
    update_account,
)
from models.accounts.sites import SiteData, create_site, update_site
from models.accounts.visibility import (
    MANAGED_DEPTH,
    editable_accounts,
    ensure_active,
    managed_accounts,
    role_visible_accounts,
    sees_every_account,
    visible_account,
    visible_accounts,
    visible_contacts,
    visible_sites,
)
from models.directory.accounts import Account, Contact, Site

__all__ = [
    "MANAGED_DEPTH",
    "MAX_CREDIT_LIMIT",
    "Account",
    "AccountData",
    "AccountFilter",
    "AccountOrderField",
    "Contact",
    "ContactData",
    "ManagerChange",
    "Site",
    "SiteData",
    "create_account",
    "create_contact",
    "create_site",
    "descendant_ids",
    "editable_accounts",
    "ensure_active",
    "filter_accounts",
    "managed_accounts",
    "order_accounts",
    "role_visible_accounts",
    "sees_every_account",
    "set_account_active",
    "set_account_manager",
    "unassign_manager",
    "update_account",
    "update_contact",
    "update_site",
    "visible_account",
    "visible_accounts",
    "visible_contacts",
    "visible_sites",
]
