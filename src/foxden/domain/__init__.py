"""Pure domain code: entities, identifiers, secrets and errors; no I/O, nothing of ours imported."""
