"""Logging, metrics and health checks."""
