"""Signatures a receiver checks: HMAC-SHA256 over "<timestamp>.<body>", one per live secret.

Headers of every delivery:

    Docket-Webhook-Id: <event uuid>           (the same on every retry and resend)
    Docket-Webhook-Timestamp: <unix seconds>  (when this attempt was signed)
    Docket-Webhook-Signature: v1=<hex>[,v1=<hex>]

During a rotation's overlap both the new and the previous secret sign, so a
receiver that still holds either one accepts the delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from models.clock import now
from models.webhooks.tables import WebhookEndpoint

SECRET_PREFIX = "whsec_"
SCHEME = "v1"


def new_secret() -> str:
    """A fresh endpoint secret (256 random bits); the whole string is the HMAC key."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: str) -> str:
    message = f"{timestamp}.{body}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def active_secrets(endpoint: WebhookEndpoint, at: datetime | None = None) -> list[str]:
    """The current secret, and the previous one while its overlap lasts."""
    moment = at or now()
    found = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > moment:
        found.append(endpoint.previous_secret)
    return found


def signature_header(endpoint: WebhookEndpoint, timestamp: int, body: str) -> str:
    return ",".join(
        f"{SCHEME}={sign(secret, timestamp, body)}" for secret in active_secrets(endpoint)
    )
