"""Tortoise models and the domain operations on them; no GraphQL here."""

# Modules Tortoise reads the tables from (see api/db.py).
MODEL_MODULES = [
    "models.users",
    "models.accounts",
    "models.auth",
    "models.company",
    "models.notifications",
    "models.outbox",
    "models.request_types",
    "models.account_requests",
    "models.service_requests",
    "models.linked_items",
    "models.credit_accounts",
    "models.photos",
]
