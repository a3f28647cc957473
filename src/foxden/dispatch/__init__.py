"""The dispatcher: works off the outbox, delivering callbacks through their channels."""
