"""Settings read from the environment and a `.env` file.

Every setting is documented in the README's settings table. Invalid values stop
start-up with one line naming the setting (see `load_settings`).
"""

from __future__ import annotations

import ipaddress
import secrets
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Environment(str, Enum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


_DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "asyncpg"}
_BROKER_SCHEMES = {"memory", "redis", "rediss"}
_STORAGE_SCHEMES = {"file", "s3"}
_SMTP_SCHEMES = {"smtp", "smtps"}


def _require_scheme(value: str, schemes: set[str]) -> str:
    scheme = urlsplit(value).scheme
    if scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in sorted(schemes))
        raise ValueError(f"must start with one of {allowed}")
    return value


class Settings(BaseSettings):
    """Docket's configuration; one field per environment variable."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    docket_env: Environment = Environment.DEVELOPMENT
    var_dir: Path = Path("./var")
    database_url: str = "sqlite://./var/docket.sqlite3"
    broker_url: str = "memory://"
    storage_url: str = "file://./var/uploads"
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"
    public_url: str | None = None
    # The web app's address: invitation and password-reset mails link to its pages.
    app_url: str = "http://localhost:5173"
    upload_expiry_seconds: int = Field(default=900, ge=60, le=7 * 24 * 3600)
    download_expiry_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    purge_interval_seconds: float = Field(default=3600.0, gt=0)
    # How long subscription events are kept for clients that resume (`after:`).
    live_event_retention_hours: int = Field(default=24, ge=1, le=24 * 30)
    smtp_url: str = ""
    smtp_from: str = "Docket <no-reply@docket.local>"
    mail_worker: bool = True
    mail_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    mail_retry_base_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Webhooks (models.webhooks, api.webhooks): the embedded sender, its timing, and the
    # private networks an operator lets endpoints reach (CIDRs; empty: public addresses only).
    webhook_worker: bool = True
    webhook_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_retry_base_seconds: float = Field(default=30.0, gt=0, le=3600)
    webhook_max_attempts: int = Field(default=12, ge=1, le=50)
    webhook_disable_after_failures: int = Field(default=30, ge=1, le=10_000)
    webhook_allowed_networks: Annotated[list[str], NoDecode] = Field(default_factory=list)
    webhook_retention_days: int = Field(default=30, ge=1, le=3650)
    # Certificate authorities (a PEM file) trusted besides the public ones: receivers
    # inside an allowed network often carry certificates of a private CA.
    webhook_ca_file: Path | None = None
    secret_key: SecretStr | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    graphiql: bool | None = None
    introspection: bool | None = None
    graphql_ws_legacy: bool = False
    # permessage-deflate costs CPU on every small event and a zlib state per socket.
    ws_compression: bool = False
    token_lifetime_hours: int = Field(default=24 * 14, ge=1, le=24 * 365)
    max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    max_query_depth: int = Field(default=12, ge=2, le=50)
    max_aliases: int = Field(default=30, ge=1)
    # Real screens stay under 600 tokens; refusing at 3,000 costs ~1 ms, parsing ~11.
    max_tokens: int = Field(default=3_000, ge=100)
    max_document_chars: int = Field(default=100_000, ge=1_000)
    max_string_literal_chars: int = Field(default=16_000, ge=100)
    max_subscriptions_per_socket: int = Field(default=20, ge=1, le=1_000)
    log_level: str = "INFO"
    # Query budgets (schema.budgets): points per operation, paid from token buckets.
    query_budgets: bool = True
    max_query_cost: int = Field(default=25_000, ge=100)
    query_points_burst: float = Field(default=50_000, gt=0)
    query_points_per_second: float = Field(default=1_000, gt=0)
    anonymous_points_burst: float = Field(default=600, gt=0)
    anonymous_points_per_second: float = Field(default=5, gt=0)
    # Proxies whose X-Forwarded-For names the client (addresses; empty: none is trusted).
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # GET /metrics for Prometheus (api.metrics); keep it off the public network.
    metrics: bool = True
    compiled_projections: bool = True
    direct_queries: bool = True
    execution_check: bool = False

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return _require_scheme(value, _DATABASE_SCHEMES)

    @field_validator("broker_url")
    @classmethod
    def _broker_url(cls, value: str) -> str:
        return _require_scheme(value, _BROKER_SCHEMES)

    @field_validator("storage_url")
    @classmethod
    def _storage_url(cls, value: str) -> str:
        _require_scheme(value, _STORAGE_SCHEMES)
        if value.startswith("s3://") and not urlsplit(value).netloc:
            raise ValueError("s3:// needs a bucket name, as in s3://docket-photos")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in {"http", "https"}:
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else None

    @field_validator("app_url")
    @classmethod
    def _app_url(cls, value: str) -> str:
        if urlsplit(value).scheme not in {"http", "https"} or not urlsplit(value).netloc:
            raise ValueError("must start with http:// or https:// and name a host")
        return value.rstrip("/")

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str) -> str:
        return _require_scheme(value, _SMTP_SCHEMES) if value else value

    @field_validator("cors_origins", "trusted_proxies", "webhook_allowed_networks", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"{network!r} is not an address or CIDR network") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    @model_validator(mode="after")
    def _environment_defaults(self) -> Settings:
        development = self.docket_env is Environment.DEVELOPMENT
        if self.graphiql is None:
            self.graphiql = development
        if self.introspection is None:
            self.introspection = development
        return self

    @property
    def is_production(self) -> bool:
        return self.docket_env is Environment.PRODUCTION

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def secret(self) -> str:
        """The signing secret: SECRET_KEY, else one generated once into VAR_DIR."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.var_dir / "secret_key"
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


class SettingsError(SystemExit):
    """Raised by `load_settings`; its message is the one line shown to the operator."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning the first invalid one into a one-line error."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SettingsError(f"docket: invalid setting {name}: {first['msg']}") from None


def load_settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
