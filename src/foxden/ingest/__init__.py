"""The uplink pipeline: from one station's reception to a committed message and its outbox."""
