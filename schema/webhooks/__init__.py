"""Webhooks for admins: endpoints and deliveries (`types`), and the mutations on them."""

from schema.webhooks.mutations import WebhookMutations
from schema.webhooks.types import WebhookDelivery, WebhookEndpoint, WebhookQueries

__all__ = ["WebhookDelivery", "WebhookEndpoint", "WebhookMutations", "WebhookQueries"]
