"""Operators' work: the outbox's dead letters, reports, the demo data."""
