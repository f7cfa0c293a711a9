"""Payments: the gateway port, its adapters and signed callbacks."""
