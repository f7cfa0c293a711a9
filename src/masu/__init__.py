"""Masu: booking lifecycle system of an at-home treatment marketplace."""

__version__ = "0.1.0"
