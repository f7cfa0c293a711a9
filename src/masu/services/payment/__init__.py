"""Payments: what is due, the gateway's callbacks, refunds."""
