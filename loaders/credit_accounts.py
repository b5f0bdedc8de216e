"""Loaders for balances (summed in SQL) and credit requests per account."""

from __future__ import annotations

from collections.abc import Sequence

from fastpath.batch import BatchLoader
from models import credit_accounts
from models.viewer import Viewer


class CreditLoaders:
    def __init__(self, viewer: Viewer) -> None:
        self.balances_by_account_id: BatchLoader[int, credit_accounts.Balance] = BatchLoader(
            load_fn=_balances
        )
        self.credit_requests_by_account_id: BatchLoader[
            int, list[credit_accounts.CreditAccountRequest]
        ] = BatchLoader(load_fn=lambda keys: _requests(viewer, keys))


async def _balances(account_ids: Sequence[int]) -> list[credit_accounts.Balance]:
    found = await credit_accounts.balances(account_ids)
    return [found[key] for key in account_ids]


async def _requests(
    viewer: Viewer, account_ids: Sequence[int]
) -> list[list[credit_accounts.CreditAccountRequest]]:
    visible = await credit_accounts.visible_credit_requests(viewer)
    rows = await visible.filter(account_id__in=list(set(account_ids))).order_by(
        "-created_at", "-id"
    )
    grouped: dict[int, list[credit_accounts.CreditAccountRequest]] = {k: [] for k in account_ids}
    for row in rows:
        grouped[row.account_id].append(row)
    return [grouped[key] for key in account_ids]
