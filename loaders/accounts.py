"""Loaders for accounts, sites and contacts, scoped by the viewer's visibility."""

from __future__ import annotations

from typing import ClassVar

from fastpath.batch import BatchLoader
from loaders.base import WholeTable, rows_by_id, rows_by_key
from models import accounts
from models.viewer import Viewer


class AccountLoaders:
    WHOLE_TABLES: ClassVar[dict[str, WholeTable]] = {
        "accounts_by_id": (accounts.Account, accounts.sees_every_account),
        "sites_by_id": (accounts.Site, accounts.sees_every_account),
        "contacts_by_id": (accounts.Contact, accounts.sees_every_account),
    }

    def __init__(self, viewer: Viewer) -> None:
        self.accounts_by_id: BatchLoader[int, accounts.Account | None] = rows_by_id(
            lambda: accounts.visible_accounts(viewer)
        )
        self.sites_by_id: BatchLoader[int, accounts.Site | None] = rows_by_id(
            lambda: accounts.visible_sites(viewer)
        )
        self.contacts_by_id: BatchLoader[int, accounts.Contact | None] = rows_by_id(
            lambda: accounts.visible_contacts(viewer)
        )
        self.sites_by_account_id: BatchLoader[int, list[accounts.Site]] = rows_by_key(
            lambda: accounts.visible_sites(viewer), "account_id"
        )
        self.contacts_by_account_id: BatchLoader[int, list[accounts.Contact]] = rows_by_key(
            lambda: accounts.visible_contacts(viewer), "account_id"
        )
        self.sub_accounts_by_parent_id: BatchLoader[int, list[accounts.Account]] = rows_by_key(
            lambda: accounts.visible_accounts(viewer), "parent_id"
        )
        self.accounts_by_manager_id: BatchLoader[int, list[accounts.Account]] = rows_by_key(
            lambda: accounts.visible_accounts(viewer), "manager_id"
        )
