"""Settings shared by the seed, the floor app and the runner."""

from __future__ import annotations

import os
from pathlib import Path

# The checkout: servers run from it, the report names its commit.
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/docket_bench"
# The bench server's SECRET_KEY; the seeded admin token is stored as HMAC(secret, token).
SECRET_KEY = "docket-bench-secret-key-not-for-production-use-0123456789"
ADMIN_TOKEN = "docket-bench-admin-token"
ADMIN_EMAIL = "bench.admin@docket.test"
# Bump when the seeded data changes shape: an older seed is then replaced.
SEED_VERSION = 2


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
