"""The event bus, the outbox and its dispatcher."""
