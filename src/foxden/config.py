"""Settings: every knob of foxden, from ``FOXDEN_*`` environment variables.

Built once (by ``foxden serve``, a CLI command or a test fixture) and passed down; no module keeps
a global instance. ``foxden config template`` prints these fields with their descriptions.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """foxden's configuration."""

    model_config = SettingsConfigDict(env_prefix="FOXDEN_", extra="ignore", frozen=True)

    database_url: str = Field(
        "sqlite:///foxden.sqlite3",
        description="Database to use: sqlite:///path/to/file or postgresql://user@host:port/db.",
    )
    host: str = Field("127.0.0.1", description="Address `foxden serve` listens on.")
    port: int = Field(8000, ge=0, le=65535, description="Port `foxden serve` listens on.")
    demo: bool = Field(
        True, description="Load the demo fleet into an empty database on first start."
    )
    simulate: bool = Field(
        True,
        description=(
            "With the demo fleet there, run its devices inside the server: simulated frames"
            " posted to the server's own network API through the demo stations."
        ),
    )
    public_url: str | None = Field(
        None,
        description=(
            "Base URL clients reach foxden at, used in absolute paging links;"
            " when unset, taken from each request's Host header."
        ),
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Largest request body accepted, in bytes (413 above)."
    )
    sigfox_realm: str = Field(
        "foxden", description="Realm of the HTTP Basic challenge of the Sigfox APIs."
    )
    soracom_token_timeout: int = Field(
        86_400,
        ge=180,
        le=172_800,
        description="Default lifetime of a Soracom API token, in seconds.",
    )
    dedup_window_ms: int = Field(
        2000,
        ge=0,
        le=60_000,
        description=(
            "Receptions of one frame (device and sequence number) within this many"
            " milliseconds of each other are one message."
        ),
    )
    token_days: int = Field(
        365,
        ge=1,
        description="Lifetime, in days, of the token a device takes with its first frame.",
    )
    write_batch: int = Field(
        512,
        ge=1,
        description="Most write transactions a writer commits together in one commit.",
    )
    pg_pool_size: int = Field(
        10, ge=1, description="Connections kept open to PostgreSQL for reads."
    )
    pg_writers: int = Field(
        4,
        ge=1,
        le=64,
        description=(
            "Writers on PostgreSQL, each with its own connection; a device's uplinks always go"
            " to the same one."
        ),
    )
    log_level: str = Field("info", description="Log level: debug, info, warning or error.")

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgresql+asyncpg://")):
            raise ValueError("expected sqlite:///... or postgresql://...")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.lower() not in {"debug", "info", "warning", "error"}:
            raise ValueError("expected debug, info, warning or error")
        return value.lower()
