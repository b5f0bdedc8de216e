"""Loaders for request types and the timeline of account requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import ClassVar

from fastpath.batch import BatchLoader
from fastpath.once import Once
from loaders.base import WholeTable, everyone, rows_by_id, rows_by_key
from loaders.slices import Slice, counts_by_key, slices_by_key
from models import account_requests, request_types, zones
from models.viewer import Viewer


class AccountRequestLoaders:
    WHOLE_TABLES: ClassVar[dict[str, WholeTable]] = {
        "request_types_by_id": (request_types.AccountRequestType, everyone),
        "account_requests_by_id": (
            account_requests.AccountRequest,
            account_requests.sees_every_request,
        ),
    }

    def __init__(self, viewer: Viewer) -> None:
        self.request_types_by_id: BatchLoader[int, request_types.AccountRequestType | None] = (
            rows_by_id(lambda: request_types.AccountRequestType.all())
        )
        self.account_requests_by_id: BatchLoader[int, account_requests.AccountRequest | None] = (
            rows_by_id(lambda: account_requests.visible_account_requests(viewer))
        )
        # Newest first: the timeline reads from the latest change down. Portal
        # contacts get the portal's share (no staff-only entries, no events about
        # photos or items it does not show).
        self.events_by_request_id: BatchLoader[int, list[account_requests.AccountRequestEvent]] = (
            portal_timelines()
            if viewer.is_contact
            else rows_by_key(
                lambda: account_requests.AccountRequestEvent.all().order_by("-id"), "request_id"
            )
        )
        # Whether the viewer works each account as its account manager (nextStatuses).
        self.manages_account_id: BatchLoader[int, bool] = BatchLoader(
            load_fn=lambda keys: _manages(viewer, keys)
        )
        # The company's time zone, read at most once per operation (forDate of old rows).
        self.company_zone: Once[tzinfo] = Once(zones.company_zone)
        self.account_requests_by_account_id: BatchLoader[
            int, list[account_requests.AccountRequest]
        ] = rows_by_key(
            lambda: account_requests.visible_account_requests(viewer).order_by(
                "-created_at", "-id"
            ),
            "account_id",
        )
        # An account's page of requests without the rest (Account.accountRequests),
        # and its count, asked only for totalCount.
        self.account_request_slices: BatchLoader[Slice, list[account_requests.AccountRequest]] = (
            slices_by_key(
                lambda: account_requests.visible_account_requests(viewer),
                "account_id",
                ("-created_at", "-id"),
            )
        )
        self.account_request_counts_by_account_id: BatchLoader[int, int] = counts_by_key(
            lambda: account_requests.visible_account_requests(viewer), "account_id"
        )


def portal_timelines() -> BatchLoader[int, list[account_requests.AccountRequestEvent]]:
    """Timelines cut to what a portal contact may see: SQL drops what it can tell,
    `portal_share` the links to staff-only items (newest first)."""
    timelines = rows_by_key(
        lambda: (
            account_requests.AccountRequestEvent.filter(visible_in_portal=True)
            .exclude(kind__in=list(account_requests.STAFF_ONLY_KINDS))
            .order_by("-id")
        ),
        "request_id",
    )

    async def load(keys: Sequence[int]) -> list[list[account_requests.AccountRequestEvent]]:
        found = await timelines.load_many(keys)
        return [account_requests.portal_share(timeline) for timeline in found]

    return BatchLoader(load_fn=load)


async def _manages(viewer: Viewer, account_ids: Sequence[int]) -> list[bool]:
    managed = await account_requests.managed_among(viewer, account_ids)
    return [account_id in managed for account_id in account_ids]
