"""Settings: every knob of foxden, from ``FOXDEN_*`` environment variables.

Built once (by ``foxden serve``, a CLI command or a test fixture) and passed down; no module keeps
a global instance. ``foxden config template`` prints these fields with their descriptions.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# A list setting written as comma-separated values (``60,120,240``), not as JSON.
CommaList = Annotated[list[str], NoDecode]


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
    dispatcher: bool = Field(
        True,
        description=(
            "Deliver callbacks from the server process; off when `foxden dispatch` processes"
            " do it instead."
        ),
    )
    callback_timeout: float = Field(
        10.0, gt=0, le=300, description="Seconds a callback receiver has to answer in full."
    )
    callback_retry_delays: CommaList = Field(
        ["60", "120", "240"],
        description=(
            "Seconds to wait before each retry of a failed callback, comma-separated; after the"
            " last, the delivery is given up and the callback marked dead."
        ),
    )
    callback_batch_window_ms: int = Field(
        1000,
        ge=0,
        le=60_000,
        description="How long a BATCH_URL callback gathers lines before posting them, in ms.",
    )
    callback_response_max_bytes: int = Field(
        65_536,
        ge=1024,
        description="Most bytes of a receiver's answer read; a longer answer is cut there.",
    )
    dispatch_lease_s: float = Field(
        60.0,
        gt=0,
        description=(
            "Seconds a dispatcher holds a claimed delivery; one not completed by then (its"
            " process died) is delivered again."
        ),
    )
    dispatch_concurrency: int = Field(
        512, ge=1, description="Most deliveries a dispatcher has in flight."
    )
    dispatch_per_callback: int = Field(
        32,
        ge=1,
        description=(
            "Most deliveries in flight to one callback, so that a slow receiver cannot hold"
            " every slot."
        ),
    )
    outbound_allow: CommaList = Field(
        [],
        description=(
            "CIDRs callbacks may reach although private, loopback or link-local (denied by"
            " default), comma-separated: 127.0.0.1/32,10.0.0.0/8."
        ),
    )
    downlink_timeout: float = Field(
        10.0,
        gt=0,
        le=60,
        description=(
            "Seconds a frame asking for a downlink may wait for its answer in all, the"
            " downlink callback's own answer included (the station's receive window)."
        ),
    )
    downlink_expiry_s: int = Field(
        86_400,
        ge=1,
        description="Seconds a queued downlink waits for its device before it expires, by default.",
    )
    data_advanced_delay_s: float = Field(
        25.0,
        ge=0,
        le=600,
        description=(
            "Seconds after a frame's first reception that its DATA_ADVANCED callbacks are sent,"
            " with every station that heard it: longer than the de-duplication window."
        ),
    )
    monitor: bool = Field(
        True,
        description=(
            "Watch devices for silence (device type keepAlive) and stations for outages from"
            " the server process."
        ),
    )
    monitor_interval_s: float = Field(
        30.0, gt=0, le=3600, description="Seconds between two looks of the silence monitor."
    )
    station_silence_s: int = Field(
        1800,
        ge=60,
        description=(
            "Seconds without a frame from a base station, once heard, after which it is taken"
            " as down and the devices it last heard get a WARN status event."
        ),
    )
    smtp_host: str = Field("127.0.0.1", description="SMTP server that EMAIL callbacks go through.")
    smtp_port: int = Field(25, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        "none", description="SMTP transport security: none, starttls or tls (implicit TLS)."
    )
    smtp_username: str | None = Field(None, description="SMTP login, if the server wants one.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_from: str = Field("foxden@localhost", description="Sender address of foxden's mails.")

    @property
    def retry_delays_ms(self) -> tuple[int, ...]:
        """``callback_retry_delays`` in milliseconds."""
        return tuple(round(float(delay) * 1000) for delay in self.callback_retry_delays)

    @field_validator("callback_retry_delays", "outbound_allow", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("callback_retry_delays")
    @classmethod
    def _delays(cls, value: list[str]) -> list[str]:
        for delay in value:
            try:
                seconds = float(delay)
            except ValueError:
                raise ValueError(f"{delay!r} is not a number of seconds") from None
            if not 0 <= seconds <= 86_400:
                raise ValueError(f"{delay} is outside 0..86400 seconds")
        return value

    @field_validator("outbound_allow")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise ValueError(f"{cidr!r} is not a CIDR such as 127.0.0.1/32") from None
        return value

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
