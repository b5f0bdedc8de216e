"""Loaders for webhooks: endpoints by ID (a delivery's endpoint), admins only."""

from __future__ import annotations

from typing import ClassVar

from fastpath.batch import BatchLoader
from loaders.base import WholeTable, rows_by_id
from models.viewer import Viewer
from models.webhooks import endpoints, tables


class WebhookLoaders:
    WHOLE_TABLES: ClassVar[dict[str, WholeTable]] = {
        "webhook_endpoints_by_id": (tables.WebhookEndpoint, endpoints.sees_every_endpoint),
    }

    def __init__(self, viewer: Viewer) -> None:
        self.webhook_endpoints_by_id: BatchLoader[int, tables.WebhookEndpoint | None] = rows_by_id(
            lambda: endpoints.visible_endpoints(viewer)
        )
