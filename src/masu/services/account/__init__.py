"""Accounts: registration, log-in, settings, browser sessions, phone codes and their throttles."""
