"""Webhooks: endpoints admins register, deliveries written with each change, signatures.

`tables` (rows), `addresses` (where a webhook may go), `signing` (HMAC headers),
`payloads` and `emission` (what each event carries, queued in the caller's
transaction), `endpoints` (admin operations), `deliveries` (the worker's claims and
outcomes, resends). The sender itself is `api.webhooks`.
"""

from models.webhooks.emission import emit
from models.webhooks.tables import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
)

__all__ = ["DeliveryStatus", "WebhookDelivery", "WebhookEndpoint", "WebhookEventType", "emit"]
