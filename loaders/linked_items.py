"""Loaders for linked items: per account, per request, and the requests of each item."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.expressions import Subquery

from fastpath.batch import BatchLoader
from loaders.base import rows_by_key
from models import account_requests, linking
from models.base import TimestampedModel
from models.linked_items import KINDS, ItemKind, Kind, Linked, visible_items
from models.viewer import Viewer


class LinkedItemLoaders:
    def __init__(self, viewer: Viewer) -> None:
        kinds = list(KINDS.values())
        self.linked_by_request_id: BatchLoader[int, list[Linked]] = BatchLoader(
            load_fn=lambda keys: _linked(viewer, keys, kinds)
        )
        self.items_by_account_id: dict[ItemKind, BatchLoader[int, list[TimestampedModel]]] = {
            kind.kind: rows_by_key(
                lambda kind=kind: visible_items(viewer, kind).order_by("-created_at", "-id"),  # type: ignore[misc]
                "account_id",
            )
            for kind in kinds
        }
        self.requests_by_item_id: dict[
            ItemKind, BatchLoader[int, list[account_requests.AccountRequest]]
        ] = {
            kind.kind: BatchLoader(load_fn=lambda keys, kind=kind: _requests(viewer, kind, keys))  # type: ignore[misc]
            for kind in kinds
        }


async def _linked(viewer: Viewer, keys: Sequence[int], kinds: list[Kind]) -> list[list[Linked]]:
    found = await linking.linked_to(viewer, keys, kinds)
    return [found[key] for key in keys]


async def _requests(
    viewer: Viewer, kind: Kind, item_ids: Sequence[int]
) -> list[list[account_requests.AccountRequest]]:
    links = await kind.link.filter(**{f"{kind.link_key}__in": list(set(item_ids))}).values(
        "request_id", kind.link_key
    )
    visible = account_requests.visible_account_requests(viewer)
    rows = {
        row.id: row
        for row in await visible.filter(
            id__in=Subquery(
                kind.link.filter(**{f"{kind.link_key}__in": list(set(item_ids))}).values(
                    "request_id"
                )
            )
        )
    }
    grouped: dict[int, list[account_requests.AccountRequest]] = {key: [] for key in item_ids}
    for link in links:
        row = rows.get(link["request_id"])
        if row is not None:
            grouped[link[kind.link_key]].append(row)
    return [sorted(grouped[key], key=lambda r: r.id) for key in item_ids]
