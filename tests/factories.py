"""Rows for tests, written through the models (the API itself is what tests drive)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from models import accounts, auth, users
from models.passwords import _hasher
from models.permissions import Role

PASSWORD = "correct horse battery"
SECRET = "test-secret-key-not-for-production"
_serial = itertools.count(1)


@cache
def _password_hash() -> str:
    # Hashed once: argon2 is slow on purpose and tests create many people.
    return _hasher.hash(PASSWORD)


@dataclass
class Person:
    """A user or contact with a live bearer token."""

    row: users.User | accounts.Contact
    token: str

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def user(self) -> users.User:
        """The staff user's row (a test that asks knows it made staff)."""
        assert isinstance(self.row, users.User), self.row
        return self.row

    @property
    def contact(self) -> accounts.Contact:
        """The portal contact's row (a test that asks knows it made a contact)."""
        assert isinstance(self.row, accounts.Contact), self.row
        return self.row


async def make_user(
    *roles: Role, name: str | None = None, email: str | None = None, active: bool = True
) -> users.User:
    n = next(_serial)
    user = await users.User.create(
        name=name or f"User {n}",
        email=email or f"user{n}@example.com",
        login=f"user{n}",
        password_hash=_password_hash(),
        is_active=active,
    )
    await users.set_roles(user, roles)
    return user


async def token_for(row: users.User | accounts.Contact) -> str:
    signed_in = await auth.issue_token(
        user=row if isinstance(row, users.User) else None,
        contact=row if isinstance(row, accounts.Contact) else None,
        secret=SECRET,
        lifetime=timedelta(hours=1),
    )
    return signed_in.token


async def staff(*roles: Role, **kwargs: str) -> Person:
    user = await make_user(*roles, **kwargs)  # type: ignore[arg-type]
    return Person(user, await token_for(user))


async def make_account(
    name: str | None = None,
    *,
    manager: users.User | None = None,
    parent: accounts.Account | None = None,
    active: bool = True,
) -> accounts.Account:
    n = next(_serial)
    return await accounts.Account.create(
        name=name or f"Account {n:04d}",
        number=f"T-{n:05d}",
        manager_id=manager.id if manager else None,
        parent_id=parent.id if parent else None,
        is_active=active,
    )


async def make_site(account: accounts.Account, name: str | None = None) -> accounts.Site:
    n = next(_serial)
    return await accounts.Site.create(
        account_id=account.id, name=name or f"Site {n}", street=f"{n} Main St", city="Springfield"
    )


async def make_contact(
    account: accounts.Account, *, portal: bool = False, name: str | None = None
) -> accounts.Contact:
    n = next(_serial)
    email = f"contact{n}@customer.example"
    return await accounts.Contact.create(
        account_id=account.id,
        name=name or f"Contact {n}",
        email=email,
        portal_access=portal,
        portal_email=email if portal else None,
        password_hash=_password_hash() if portal else None,
    )


async def portal_contact(account: accounts.Account) -> Person:
    contact = await make_contact(account, portal=True)
    return Person(contact, await token_for(contact))
