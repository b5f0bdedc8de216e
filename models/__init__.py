"""Tortoise models and the domain operations on them; no GraphQL here."""

# Modules Tortoise reads the tables from (see api/db.py).
MODEL_MODULES = [
    "models.directory.users",
    "models.directory.accounts",
    "models.auth",
    "models.company",
    "models.notifications",
    "models.outbox",
    "models.request_types",
    "models.account_requests.tables",
    "models.account_requests.tallies",
    "models.service_requests.tables",
    "models.service_requests.tallies",
    "models.linked_items",
    "models.credit_accounts.tables",
    "models.photos.tables",
    "models.access.tables",
    "models.webhooks.tables",
    "models.live_log",
    "models.idempotency",
]
