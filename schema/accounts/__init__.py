"""Accounts, sites and contacts: types, the `accounts` list and their mutations."""

from schema.accounts.mutations import AccountMutations
from schema.accounts.queries import AccountQueries

__all__ = ["AccountMutations", "AccountQueries"]
