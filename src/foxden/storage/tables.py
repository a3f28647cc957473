"""Every table of foxden on one ``MetaData``: the schema that the migrations must reproduce.

Times are integer Unix milliseconds everywhere (``BigInteger``), converted to each API's unit at
its edge. Ids are strings in the formats of the APIs (see ``domain.ids``), except messages, whose
integer id grows with insertion order and pairs with ``time`` as a keyset paging key.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

# Names for constraints, so that migrations on SQLite (batch mode) and PostgreSQL agree.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# The range of a ``BigInteger`` column, on both databases.
FIRST_BIGINT = -(2**63)
LAST_BIGINT = 2**63 - 1

# An integer primary key that autoincrements on both databases (SQLite needs plain INTEGER).
MessageId = BigInteger().with_variant(Integer(), "sqlite")

groups = Table(
    "groups",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("billable", Boolean, nullable=False, default=False),
    Column("bss_id", String(64)),
    Column("created_at", BigInteger, nullable=False),
)

# The group tree as a closure table: one row per (ancestor, descendant) pair, including each
# group with itself at depth 0, so "this group and everything below it" is one indexed lookup.
group_tree = Table(
    "group_tree",
    metadata,
    Column("ancestor_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("descendant_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("depth", Integer, nullable=False),
    Index(None, "descendant_id", "depth"),
)

users = Table(
    "users",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("first_name", String(255), nullable=False, default=""),
    Column("last_name", String(255), nullable=False, default=""),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("password_hash", String(255)),
    Column("created_at", BigInteger, nullable=False),
    Column("last_login_at", BigInteger),
)

roles = Table(
    "roles",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
)

user_roles = Table(
    "user_roles",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("roles.id"), primary_key=True),
)

api_users = Table(
    "api_users",
    metadata,
    Column("login", String(24), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(255), nullable=False, default=""),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

operators = Table(
    "operators",
    metadata,
    Column("id", String(12), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("email", String(320), unique=True),
    Column("password_hash", String(255)),
    Column("created_at", BigInteger, nullable=False),
)

auth_keys = Table(
    "auth_keys",
    metadata,
    Column("id", String(64), primary_key=True),
    Column(
        "operator_id", ForeignKey("operators.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("secret_hash", String(255), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("api_key", String(64), primary_key=True),
    Column("token_digest", String(64), nullable=False),
    Column(
        "operator_id", ForeignKey("operators.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("expires_at", BigInteger, nullable=False, index=True),
    Column("created_at", BigInteger, nullable=False),
)

# Soracom groups: an operator's named sets of configuration (Harvest on or off, ...) that its
# devices join with ``set_group``. ``configuration`` maps each namespace to its parameters;
# ``harvest`` repeats whether SoracomHarvest is enabled, for the ingest to read in one lookup.
config_groups = Table(
    "config_groups",
    metadata,
    Column("id", String(36), primary_key=True),
    Column(
        "operator_id", ForeignKey("operators.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("tags", JSON, nullable=False, default=dict),
    Column("configuration", JSON, nullable=False, default=dict),
    Column("harvest", Boolean, nullable=False, default=False),
    Column("created_at", BigInteger, nullable=False),
    Column("modified_at", BigInteger, nullable=False),
)

device_types = Table(
    "device_types",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("keep_alive", Integer, nullable=False, default=0),
    Column("payload_type", String(16), nullable=False, default="None"),
    Column("payload_config", Text),
    Column("downlink_mode", Integer, nullable=False, default=0),
    # A template: 16 hex digits once its {time}, {tapId} and {rssi} are substituted.
    Column("downlink_data_string", String(32)),
    Column("alert_email", String(320)),
    Column("contract_id", String(24)),
    # Raised by "disengage": each device whose own epoch is lower accepts its next sequence number.
    Column("sequence_epoch", Integer, nullable=False, default=0),
    Column("created_at", BigInteger, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("id", String(8), primary_key=True),
    Column("device_type_id", ForeignKey("device_types.id"), nullable=False, index=True),
    Column("name", String(255), nullable=False),
    Column("pac", String(16), nullable=False),
    Column("state", Integer, nullable=False, default=0),
    Column("lat", Float),
    Column("lng", Float),
    Column("token_type", String(16)),
    Column("contract_id", String(24)),
    Column("activation_time", BigInteger),
    Column("token_end", BigInteger),
    Column("free_messages", Integer),
    Column("prevent_renewal", Boolean, nullable=False, default=False),
    Column("last_seen_at", BigInteger),
    Column("last_seq_number", Integer),
    Column("sequence_epoch", Integer, nullable=False, default=0),
    Column("last_message_id", BigInteger),
    Column("last_rssi", Float),
    Column("last_snr", Float),
    # The best (snr, rssi) of each of the last 25 messages, newest last: averages in O(1).
    Column("link_window", JSON, nullable=False, default=list),
    Column("average_snr", Float),
    Column("average_rssi", Float),
    Column("link_quality", String(16)),
    Column("soracom_status", String(16), nullable=False, default="ready"),
    # The Soracom configuration group; one in use cannot be deleted.
    Column("soracom_group_id", ForeignKey("config_groups.id")),
    Column("termination_enabled", Boolean, nullable=False, default=False),
    # When the device's last message was written to Harvest Data (Unix ms).
    Column("harvested_at", BigInteger),
    # The silence watch: when the device is declared lost if it sends nothing more (its last
    # message plus its type's keepAlive; None without one), and, while it is lost, the time of
    # its last message. The monitor reads ``silence_at`` through its index, once per tick.
    Column("silence_at", BigInteger, index=True),
    Column("silent_since", BigInteger),
    Column("created_at", BigInteger, nullable=False),
    Column("modified_at", BigInteger, nullable=False),
)

# A device's Soracom tags, one row each, so that a tag filter is an indexed lookup.
device_tags = Table(
    "device_tags",
    metadata,
    Column("device_id", ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("value", Text, nullable=False),
    Index(None, "name", "value"),
)

stations = Table(
    "stations",
    metadata,
    Column("id", String(4), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("lat", Float),
    Column("lng", Float),
    Column("token_digest", String(64), nullable=False, unique=True),
    # When the station last reported a frame (written at most once a minute), and since when
    # the monitor counts it as down.
    Column("last_heard_at", BigInteger),
    Column("down_since", BigInteger),
    Column("created_at", BigInteger, nullable=False),
)

messages = Table(
    "messages",
    metadata,
    Column("id", MessageId, primary_key=True, autoincrement=True),
    Column("device_id", ForeignKey("devices.id", ondelete="CASCADE"), nullable=False),
    Column("device_type_id", String(24), nullable=False),
    Column("time", BigInteger, nullable=False),
    Column("seq_number", Integer, nullable=False),
    Column("kind", String(16), nullable=False, default="data"),
    Column("data", String(24), nullable=False),
    Column("ack", Boolean, nullable=False, default=False),
    # The best reception; None when the sender had no network metadata (Sigfox Cloud option).
    Column("rssi", Float),
    Column("snr", Float),
    Column("stations", Integer, nullable=False, default=1),
    Column("link_quality", String(16)),
    # False when the device was off contract: stored, not forwarded.
    Column("forwarded", Boolean, nullable=False, default=True),
    Column("service", JSON),
    Column("decoded", JSON),
    Column("decode_error", Text),
    # The fields a short frame cut short or left out (decision 0005).
    Column("decode_warning", Text),
    Column("lat", Float),
    Column("lng", Float),
    Column("radius", Integer),
    Column("location_source", Integer),
    # The downlink a frame with ``ack`` asked for: what became of it (``domain.downlinks``), the
    # 8 bytes answered as hex, and why there were none when something went wrong.
    Column("downlink_status", String(16)),
    Column("downlink_data", String(16)),
    Column("downlink_info", Text),
    # Written to Harvest Data: the device's group had Harvest enabled when the frame came.
    Column("harvested", Boolean, nullable=False, default=False),
    # The station whose report created the message, and so got its answer: a resend by it gets
    # that answer again. None for messages stored before foxden recorded it.
    Column("first_station", String(8)),
    # Keyset paging: newest first per device and per device type.
    Index(None, "device_id", "time", "id"),
    Index(None, "device_type_id", "time", "id"),
    Index(None, "device_id", "seq_number", "time"),
)

receptions = Table(
    "receptions",
    metadata,
    Column("message_id", ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    # Not a foreign key: receptions relayed by Sigfox Cloud name stations foxden does not run.
    Column("station_id", String(8), primary_key=True),
    Column("rssi", Float),
    Column("snr", Float),
    Column("freq", BigInteger),
    Column("time", BigInteger, nullable=False),
)

callbacks = Table(
    "callbacks",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("device_type_id", ForeignKey("device_types.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("callback_type", Integer, nullable=False),
    Column("callback_subtype", Integer, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("send_duplicate", Boolean, nullable=False, default=False),
    Column("downlink_hook", Boolean, nullable=False, default=False),
    Column("dead", Boolean, nullable=False, default=False),
    Column("payload_config", Text),
    # The channel's own fields (url, httpMethod, headers, bodyTemplate, linePattern, ...).
    Column("settings", JSON, nullable=False, default=dict),
    # The key of the optional HMAC-SHA256 signature of each request: written, never read back.
    Column("signing_secret", String(128)),
    Column("created_at", BigInteger, nullable=False),
    Index(None, "device_type_id", "callback_type", "callback_subtype"),
)

# What must happen because of a message or a status event, written in its transaction and
# worked off by the dispatcher: nothing accepted is lost between the two. A row is due once
# ``due_at`` has passed: a claim moves ``due_at`` to the end of its lease, so a claim its
# dispatcher never completed (a crash) falls due again by itself. A status event's row names
# the device its delivery reports.
outbox = Table(
    "outbox",
    metadata,
    Column("id", MessageId, primary_key=True, autoincrement=True),
    Column("message_id", ForeignKey("messages.id", ondelete="CASCADE")),
    Column("status_event_id", ForeignKey("status_events.id", ondelete="CASCADE")),
    Column("device_id", String(8)),
    Column("callback_id", ForeignKey("callbacks.id", ondelete="CASCADE")),
    Column("event", String(32), nullable=False),
    Column("station_id", String(8)),
    Column("duplicate", Boolean, nullable=False, default=False),
    Column("state", String(16), nullable=False, default="queued"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("due_at", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index(None, "due_at"),
    Index(None, "message_id"),
    Index(None, "status_event_id"),
)

# foxden's downlink queue (no Sigfox product has one): 8-byte payloads waiting for a device's
# next frame that asks for a downlink, served oldest first before the device type's own answer.
# ``state``: pending, then sent with the frame that took it, then acked or failed by the
# device's ACKNOWLEDGE frame; expired, replaced (by a newer one in replace mode) or cancelled
# without being sent.
downlinks = Table(
    "downlinks",
    metadata,
    Column("id", MessageId, primary_key=True, autoincrement=True),
    Column("device_id", ForeignKey("devices.id", ondelete="CASCADE"), nullable=False),
    Column("data", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger),
    # The message whose answer carried it, and when; when the device said whether it got it.
    Column("message_id", BigInteger),
    Column("sent_at", BigInteger),
    Column("settled_at", BigInteger),
    Index(None, "device_id", "state", "id"),
)

# Per device and day (days since the Unix epoch, UTC): the counts behind `messages/metric` and
# `consumptions`.
device_days = Table(
    "device_days",
    metadata,
    Column("device_id", ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("uplinks", Integer, nullable=False, default=0),
    Column("uplink_bytes", Integer, nullable=False, default=0),
    Column("downlinks", Integer, nullable=False, default=0),
)

# Seed 002 status events: ERROR (a device went silent) and WARN (network issues for a set of
# devices). The devices an event concerns are rows of ``status_event_devices``, so that a
# device's own events are one indexed lookup.
status_events = Table(
    "status_events",
    metadata,
    Column("id", MessageId, primary_key=True, autoincrement=True),
    Column("device_type_id", ForeignKey("device_types.id", ondelete="CASCADE"), nullable=False),
    Column("severity", String(8), nullable=False),
    Column("time", BigInteger, nullable=False),
    Column("message", Text, nullable=False),
    Index(None, "device_type_id", "severity", "time", "id"),
)

status_event_devices = Table(
    "status_event_devices",
    metadata,
    Column("event_id", ForeignKey("status_events.id", ondelete="CASCADE"), primary_key=True),
    Column("device_id", ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True),
    Column("severity", String(8), nullable=False),
    Column("time", BigInteger, nullable=False),
    Index(None, "device_id", "severity", "time", "event_id"),
)

# One row per delivery attempt of a callback, for a message or a status event: what was sent
# and what came back. ``cbStatus`` and the status events' ``callbacks`` read it; the rows with
# ``failed`` (the delivery was given up) make the failed-callback log.
callback_attempts = Table(
    "callback_attempts",
    metadata,
    Column("id", MessageId, primary_key=True, autoincrement=True),
    Column("message_id", ForeignKey("messages.id", ondelete="CASCADE")),
    Column("status_event_id", ForeignKey("status_events.id", ondelete="CASCADE")),
    # Not a foreign key: the record outlives a deleted callback.
    Column("callback_id", String(24), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("device_id", String(8)),
    Column("device_type_id", String(24), nullable=False),
    # When the message (or event) happened, and when this attempt was made: Unix ms.
    Column("event_time", BigInteger, nullable=False),
    Column("time", BigInteger, nullable=False),
    # The HTTP status, 600 when there was none (refused, timeout, TLS), 200 for a sent mail.
    Column("status", Integer, nullable=False),
    Column("info", Text),
    # What was sent: url, method, headers, body, contentType; or subject, recipient, message.
    Column("request", JSON, nullable=False, default=dict),
    # The variables the request was rendered from.
    Column("parameters", JSON, nullable=False, default=dict),
    Column("failed", Boolean, nullable=False, default=False),
    Index(None, "message_id"),
    Index(None, "status_event_id"),
    Index(None, "device_type_id", "failed", "event_time"),
)

# A bulk device registration, worked off after the request that created it was answered.
registration_jobs = Table(
    "registration_jobs",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("device_type_id", ForeignKey("device_types.id", ondelete="CASCADE"), nullable=False),
    Column("prefix", String(255), nullable=False, default=""),
    # The requested devices: [{"id": ..., "pac": ...}], in request order.
    Column("devices", JSON, nullable=False),
    Column("done", Boolean, nullable=False, default=False),
    Column("succeeded", Integer, nullable=False, default=0),
    # [{"id": ..., "message": ...}] for each device that could not be registered.
    Column("failures", JSON, nullable=False, default=list),
    Column("created_at", BigInteger, nullable=False),
    Index(None, "done"),
)
