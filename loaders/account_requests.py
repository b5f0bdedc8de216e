"""Loaders for request types and the timeline of account requests."""

from __future__ import annotations

from fastpath.batch import BatchLoader
from loaders.base import rows_by_id, rows_by_key
from models import account_requests, request_types
from models.viewer import Viewer


class AccountRequestLoaders:
    def __init__(self, viewer: Viewer) -> None:
        self.request_types_by_id: BatchLoader[int, request_types.AccountRequestType | None] = (
            rows_by_id(lambda: request_types.AccountRequestType.all())
        )
        self.account_requests_by_id: BatchLoader[int, account_requests.AccountRequest | None] = (
            rows_by_id(lambda: account_requests.visible_account_requests(viewer))
        )
        # Newest first: the timeline reads from the latest change down. Portal
        # contacts get the portal's share (no events about photos it does not show).
        portal = viewer.is_contact
        self.events_by_request_id: BatchLoader[int, list[account_requests.AccountRequestEvent]] = (
            rows_by_key(
                lambda: account_requests.AccountRequestEvent.filter(
                    **({"visible_in_portal": True} if portal else {})
                ).order_by("-id"),
                "request_id",
            )
        )
        self.account_requests_by_account_id: BatchLoader[
            int, list[account_requests.AccountRequest]
        ] = rows_by_key(
            lambda: account_requests.visible_account_requests(viewer).order_by(
                "-created_at", "-id"
            ),
            "account_id",
        )
